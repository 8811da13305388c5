//! Reading a request body as JSON, refusing an object that names a member
//! twice. `serde_json` keeps the last of two equal members, another parser
//! may keep the first: the signer's app and a reader of the body could then
//! disagree about what was signed, so such a body is refused, not
//! collapsed (as a bare C.Hasil with a duplicate key always was).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The body's JSON value; `Err` with the reason for bytes that are not
/// JSON or hold a member twice in one object.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// One value, its objects checked for repeated members.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(Strict)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format!("member `{name}` appears twice")));
            }
            let value = map.next_value_seed(Strict)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_named_twice_at_any_depth_is_refused_and_anything_else_reads_as_serde_json_does() {
        for ok in [
            r#"{"a": 1, "b": [1, -2, 1.5, "x", null, true, {"a": 2}], "c": {"a": {}}}"#,
            "[]",
            "7",
            r#"{"a": {"b": 1}, "c": {"b": 2}}"#,
        ] {
            let strict = parse(ok.as_bytes()).unwrap();
            assert_eq!(strict, serde_json::from_str::<Value>(ok).unwrap(), "{ok}");
        }
        for twice in [
            r#"{"a": 1, "a": 1}"#,
            r#"{"statement": {"form": {"suara_sah": 1, "suara_sah": 2}}}"#,
            r#"[{"x": [{"k": 1, "k": 2}]}]"#,
        ] {
            let e = parse(twice.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("appears twice"), "{twice}: {e}");
        }
        for broken in ["{", "{} {}", "", "[1,]"] {
            assert!(parse(broken.as_bytes()).is_err(), "{broken}");
        }
    }
}
