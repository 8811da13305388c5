//! RFC 8785 (JSON Canonicalization Scheme) for log entries, which hold only
//! integers, strings, booleans, null, arrays and objects: object members
//! sorted by the UTF-16 code units of their names (§3.2.3), no whitespace,
//! strings escaped as §3.2.2.2 says (the two-character escapes, other
//! control characters as lowercase `\u00xx`, everything else as UTF-8).
//!
//! Numbers must be integers within ±(2^53 − 1): RFC 8785 serialises numbers
//! as IEEE 754 doubles (§3.2.2.3), which represent exactly those integers,
//! so for them the ECMAScript form is the plain decimal. Anything else is
//! refused rather than rounded.

use serde_json::Value;

/// The largest integer an IEEE 754 double holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalJsonError {
    /// A number that is not an integer within ±(2^53 − 1).
    #[error("number {0} is not an integer within ±(2^53 - 1)")]
    Number(String),
}

/// The RFC 8785 bytes of `value`.
pub fn canonical_json(value: &Value) -> Result<Vec<u8>, CanonicalJsonError> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalJsonError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let in_range = n
                .as_i64()
                .is_some_and(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER)
                || n.as_u64().is_some_and(|u| u <= MAX_SAFE_INTEGER);
            if !in_range {
                return Err(CanonicalJsonError::Number(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_value(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Appends a string in its RFC 8785 form (§3.2.2.2), quotes included:
/// for writers that assemble canonical bytes member by member.
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if c < ' ' => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(canonical_json(v).unwrap()).unwrap()
    }

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v: Value =
            serde_json::from_str(r#"{ "b": [1, 2, {"z": null, "a": true}], "a": "x" }"#).unwrap();
        assert_eq!(canon(&v), r#"{"a":"x","b":[1,2,{"a":true,"z":null}]}"#);
    }

    #[test]
    fn sorts_keys_by_utf16_code_units_as_rfc8785_3_2_3() {
        // The RFC's sorting example, minus its float-valued members' values.
        let v = json!({
            "\u{20ac}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1f600}": "Emoji: Grinning Face",
            "\u{0080}": "Control",
            "\u{00f6}": "Latin Small Letter O With Diaeresis"
        });
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{0080}\":\"Control\",\
            \"\u{00f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
            \"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(canon(&v), expected);
    }

    #[test]
    fn escapes_strings_as_rfc8785_3_2_2_2() {
        // From the RFC's §3.2.2.2 example: "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"
        let v = json!("\u{20ac}$\u{f}\nA'B\"\\\\\"/");
        assert_eq!(canon(&v), "\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
        assert_eq!(
            canon(&json!("\u{7f}\u{8}\u{c}\r\t\u{1f}")),
            "\"\u{7f}\\b\\f\\r\\t\\u001f\""
        );
    }

    #[test]
    fn writes_integers_plainly_and_refuses_the_rest() {
        assert_eq!(
            canon(&json!([0, -1, 9007199254740991i64, -9007199254740991i64])),
            "[0,-1,9007199254740991,-9007199254740991]"
        );
        for bad in [
            json!(1.5),
            json!(1.0),
            json!(9007199254740992u64),
            json!(-9007199254740992i64),
            json!({"a": [u64::MAX]}),
        ] {
            assert!(canonical_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_rfc8785_structures_example() {
        // RFC 8785 §3.2.2's "structures" example with its floats replaced by integers.
        let v: Value = serde_json::from_str(r#"{"1":{"f":{"f":"hi","F":5},"\n":56},"10":{},"":"empty","a":{},"111":[{"e":"yes","E":"no"}],"A":{}}"#).unwrap();
        assert_eq!(
            canon(&v),
            r#"{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}"#
        );
    }
}
