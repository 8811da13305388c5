//! Reading a C.Hasil form from request bytes, with every problem reported
//! at once.
//!
//! `serde_json::Value` keeps the last of two equal keys and turns `1.0`,
//! `1e2` and `99999999999999999999` into floats, and a derived `Deserialize`
//! stops at the first problem. So the form is read in one pass by
//! hand-written visitors that see every key and every number literal as
//! written, and push each problem (with its field path) onto a list instead
//! of failing. Only malformed JSON stops the pass.
//!
//! Numbers (R9): only a JSON integer literal from 0 to 9999 is a count.
//! `1.0` and `1e2` are refused too: the paper form holds digits, and a client
//! that writes a decimal point has a bug worth seeing.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::codes::{self, Code};
use super::types::{
    CHasil, DISABILITAS, FIELD_COUNT, FIELDS, MAX_COUNT, OptionVotes, Options, PartyVotes,
    SURAT_SUARA,
};
use super::{FormErrors, Issue};
use crate::Contest;

/// Parses a C.Hasil form for `contest` from JSON bytes. The contest decides
/// the shape of `options` (and so how its keys are written), which is why
/// it is needed here. Returns every problem found, not only the first;
/// never panics, whatever the bytes.
pub fn parse(contest: Contest, json: &[u8]) -> Result<CHasil, FormErrors> {
    let mut issues = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = FormSeed {
        contest,
        issues: &mut issues,
    }
    .deserialize(&mut de)
    .and_then(|form| de.end().map(|()| form));
    match parsed {
        Err(e) => Err(FormErrors(vec![Issue::new(
            &codes::MALFORMED_JSON,
            None,
            format!("the body is not valid JSON: {e}"),
        )])),
        Ok(Some(form)) if issues.is_empty() => Ok(form),
        Ok(_) => Err(FormErrors(issues)),
    }
}

/// Bit of `options` in the set of top-level fields seen.
const OPTIONS_BIT: u32 = 1 << FIELD_COUNT;

/// Pushes one issue.
fn report(issues: &mut Vec<Issue>, code: &Code, field: String, message: String) {
    issues.push(Issue::new(code, Some(field), message));
}

/// A key as the client wrote it, cut short if very long so that a hostile
/// key cannot blow up an error message.
fn shown(key: &str) -> Cow<'_, str> {
    const LIMIT: usize = 40;
    match key.char_indices().nth(LIMIT) {
        None => Cow::Borrowed(key),
        Some((at, _)) => Cow::Owned(format!("{}...", &key[..at])),
    }
}

/// An object key, borrowed from the input where it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Why a value is not a count, said so that whoever typed it can fix it.
enum BadCount {
    Negative(i64),
    TooLarge(u64),
    Float(f64),
    QuotedNumber(u32),
    Other(&'static str),
}

impl BadCount {
    fn issue(self, issues: &mut Vec<Issue>, field: String) {
        let found = match self {
            BadCount::Negative(v) => format!("{v}, a negative number"),
            BadCount::TooLarge(v) => format!("{v}, which is above {MAX_COUNT}"),
            BadCount::Float(v) if v.abs() > f64::from(MAX_COUNT) => {
                format!("{v:?}, which is above {MAX_COUNT}")
            }
            BadCount::Float(v) if v.fract() == 0.0 => {
                format!("{v:?}: write a whole number without a decimal point or exponent")
            }
            BadCount::Float(v) => format!("{v:?}, which is not a whole number"),
            BadCount::QuotedNumber(v) => {
                format!("the string \"{v}\": write the number without quotes")
            }
            BadCount::Other(what) => what.to_owned(),
        };
        let message =
            format!("{field} must be a whole number from 0 to {MAX_COUNT}, found {found}");
        report(issues, &codes::INVALID_NUMBER, field, message);
    }
}

/// Reads any JSON value; a count if it is an integer literal in 0..=9999.
struct CountSeed;

impl<'de> DeserializeSeed<'de> for CountSeed {
    type Value = Result<u32, BadCount>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CountSeed {
    type Value = Result<u32, BadCount>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a count")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(match u32::try_from(v) {
            Ok(v) if v <= MAX_COUNT => Ok(v),
            _ => Err(BadCount::TooLarge(v)),
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        // serde_json calls this only for literals with a minus sign, `-0`
        // included: all refused.
        Ok(Err(BadCount::Negative(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Err(BadCount::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Err(match v.parse::<u32>() {
            Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => BadCount::QuotedNumber(n),
            _ => BadCount::Other("a string"),
        }))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(BadCount::Other("a boolean")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(BadCount::Other("null")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err(BadCount::Other("an array")))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err(BadCount::Other("an object")))
    }
}

/// Implements every `visit_*` but `visit_map` of an object-expecting
/// visitor: the value is consumed and `self.not_an_object(what)` decides
/// what to report and return.
macro_rules! reject_non_objects {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.not_an_object("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.not_an_object("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.not_an_object("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.not_an_object("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.not_an_object("a string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.not_an_object("null"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(self.not_an_object("an array"))
        }
    };
}

/// The whole form: a JSON object of counts and `options`.
struct FormSeed<'a> {
    contest: Contest,
    issues: &'a mut Vec<Issue>,
}

impl FormSeed<'_> {
    fn not_an_object(self, what: &str) -> Option<CHasil> {
        self.issues.push(Issue::new(
            &codes::NOT_AN_OBJECT,
            None,
            format!("a C.Hasil form is a JSON object, found {what}"),
        ));
        None
    }

    /// Reports the fields of `range` that are absent, if the section is
    /// required or given in part; returns whether the section is complete.
    fn check_section(
        &mut self,
        seen: u32,
        range: std::ops::Range<usize>,
        section: Option<&str>,
    ) -> bool {
        let absent: Vec<usize> = range.clone().filter(|i| seen & (1 << i) == 0).collect();
        let partial = absent.len() < range.len();
        if absent.is_empty() || (section.is_some() && !partial) {
            return absent.is_empty();
        }
        for i in absent {
            let message = match section {
                None => format!("{} is missing", FIELDS[i]),
                Some(section) => format!(
                    "{} is missing: the {section} section is given in part (give all of its fields or none)",
                    FIELDS[i]
                ),
            };
            report(
                self.issues,
                &codes::MISSING_FIELD,
                FIELDS[i].to_owned(),
                message,
            );
        }
        false
    }
}

impl<'de> DeserializeSeed<'de> for FormSeed<'_> {
    type Value = Option<CHasil>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FormSeed<'_> {
    type Value = Option<CHasil>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a C.Hasil form object")
    }

    reject_non_objects!();

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = [0u32; FIELD_COUNT];
        let mut seen = 0u32;
        let mut options = None;
        while let Some(Key(key)) = map.next_key()? {
            let bit = if key == "options" {
                Some(OPTIONS_BIT)
            } else {
                FIELDS.iter().position(|f| *f == key).map(|i| 1 << i)
            };
            let Some(bit) = bit else {
                let message = format!("a C.Hasil form has no field {:?}", shown(&key));
                report(
                    self.issues,
                    &codes::UNKNOWN_FIELD,
                    shown(&key).into_owned(),
                    message,
                );
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & bit != 0 {
                let message = format!("{key} appears more than once");
                report(
                    self.issues,
                    &codes::DUPLICATE_KEY,
                    key.into_owned(),
                    message,
                );
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            seen |= bit;
            if bit == OPTIONS_BIT {
                options = map.next_value_seed(OptionsSeed {
                    contest: self.contest,
                    issues: self.issues,
                })?;
            } else {
                match map.next_value_seed(CountSeed)? {
                    Ok(v) => values[bit.trailing_zeros() as usize] = v,
                    Err(bad) => bad.issue(self.issues, key.into_owned()),
                }
            }
        }
        self.check_section(seen, 0..DISABILITAS.start, None);
        self.check_section(seen, SURAT_SUARA.end..FIELD_COUNT, None);
        let has_disabilitas = self.check_section(seen, DISABILITAS, Some("disabled-voter"));
        let has_surat_suara = self.check_section(seen, SURAT_SUARA, Some("ballot"));
        if seen & OPTIONS_BIT == 0 {
            let message = "options is missing".to_owned();
            report(
                self.issues,
                &codes::MISSING_FIELD,
                "options".to_owned(),
                message,
            );
        }
        let options = options.unwrap_or_else(|| Options::empty(self.contest));
        Ok(Some(CHasil::from_flat(
            &values,
            has_disabilitas,
            has_surat_suara,
            options,
        )))
    }
}

/// Reads a paslon key: two digits as on the ballot (`"01"`).
fn paslon_key(key: &str) -> Option<u16> {
    match key.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
            let n = u16::from(a - b'0') * 10 + u16::from(b - b'0');
            (n > 0).then_some(n)
        }
        _ => None,
    }
}

/// Reads a plain ballot number (`"7"`, `"24"`): digits, no leading zero,
/// from 1 to `max`.
fn plain_key(key: &str, max: u16) -> Option<u16> {
    let ok = !key.is_empty()
        && key.len() <= 5
        && !key.starts_with('0')
        && key.bytes().all(|b| b.is_ascii_digit());
    key.parse::<u16>().ok().filter(|n| ok && *n <= max)
}

/// Sorts entries by number and reports every repeated number (a key
/// written twice) under the path `prefix.<number>`.
fn sort_unique<T>(
    entries: &mut Vec<T>,
    number: impl Fn(&T) -> u16,
    path: impl Fn(u16) -> String,
    issues: &mut Vec<Issue>,
) {
    entries.sort_by_key(|e| number(e));
    let mut last = None;
    entries.retain(|e| {
        let n = number(e);
        if last == Some(n) {
            let field = path(n);
            let message = format!("{field} appears more than once");
            report(issues, &codes::DUPLICATE_KEY, field, message);
            false
        } else {
            last = Some(n);
            true
        }
    });
}

/// `options`: its shape depends on the contest.
struct OptionsSeed<'a> {
    contest: Contest,
    issues: &'a mut Vec<Issue>,
}

impl OptionsSeed<'_> {
    fn not_an_object(self, what: &str) -> Option<Options> {
        let message = format!("options must be an object, found {what}");
        report(
            self.issues,
            &codes::INVALID_VALUE,
            "options".to_owned(),
            message,
        );
        None
    }
}

impl<'de> DeserializeSeed<'de> for OptionsSeed<'_> {
    type Value = Option<Options>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OptionsSeed<'_> {
    type Value = Option<Options>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the options object")
    }

    reject_non_objects!();

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Some(match self.contest {
            Contest::Ppwp => {
                Options::Paslon(numbered(map, || "options".to_owned(), true, self.issues)?)
            }
            Contest::Dpd => {
                Options::Candidates(numbered(map, || "options".to_owned(), false, self.issues)?)
            }
            Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota => {
                Options::Parties(parties(map, self.issues)?)
            }
        }))
    }
}

/// An object of `{"<number>": count}` under the path `prefix`: paslon keys
/// (`"01"`) if `paslon`, else plain numbers (`"7"`).
fn numbered<'de, A: MapAccess<'de>>(
    mut map: A,
    prefix: impl Fn() -> String,
    paslon: bool,
    issues: &mut Vec<Issue>,
) -> Result<Vec<OptionVotes>, A::Error> {
    let mut out = Vec::new();
    while let Some(Key(key)) = map.next_key()? {
        let number = if paslon {
            paslon_key(&key)
        } else {
            plain_key(&key, u16::MAX)
        };
        let votes = map.next_value_seed(CountSeed)?;
        let field = || format!("{}.{}", prefix(), shown(&key));
        match (number, votes) {
            (None, _) => {
                let how = if paslon {
                    "two digits, like \"01\""
                } else {
                    "a ballot number without leading zeros, like \"7\""
                };
                let message = format!(
                    "{:?} is not an option of this ballot: options are written as {how}",
                    shown(&key)
                );
                report(issues, &codes::UNKNOWN_OPTION, field(), message);
            }
            (Some(_), Err(bad)) => bad.issue(issues, field()),
            (Some(number), Ok(votes)) => out.push(OptionVotes { number, votes }),
        }
    }
    let path = |n: u16| {
        if paslon {
            format!("{}.{n:02}", prefix())
        } else {
            format!("{}.{n}", prefix())
        }
    };
    sort_unique(&mut out, |o| o.number, path, issues);
    Ok(out)
}

/// A legislative `options` object: `{"<party>": {"party": n, "candidates": {...}}}`.
fn parties<'de, A: MapAccess<'de>>(
    mut map: A,
    issues: &mut Vec<Issue>,
) -> Result<Vec<PartyVotes>, A::Error> {
    let mut out = Vec::new();
    while let Some(Key(key)) = map.next_key()? {
        let party = plain_key(&key, u16::from(u8::MAX)).and_then(|n| u8::try_from(n).ok());
        let entry = map.next_value_seed(PartySeed { key: &key, issues })?;
        match (party, entry) {
            (None, _) => {
                let message = format!(
                    "{:?} is not a party of this ballot: parties are written as their number without leading zeros, like \"7\"",
                    shown(&key)
                );
                report(
                    issues,
                    &codes::UNKNOWN_OPTION,
                    format!("options.{}", shown(&key)),
                    message,
                );
            }
            (Some(party), Some((votes, candidates))) => out.push(PartyVotes {
                party,
                votes,
                candidates,
            }),
            (Some(_), None) => {}
        }
    }
    sort_unique(
        &mut out,
        |p| u16::from(p.party),
        |n| format!("options.{n}"),
        issues,
    );
    Ok(out)
}

/// One party's entry: `{"party": n, "candidates": {"<no>": n}}`. Yields
/// `None` if it has a problem (already reported).
struct PartySeed<'k, 'a> {
    key: &'k str,
    issues: &'a mut Vec<Issue>,
}

impl PartySeed<'_, '_> {
    fn not_an_object(self, what: &str) -> Option<(u32, Vec<OptionVotes>)> {
        let field = format!("options.{}", shown(self.key));
        let message = format!(
            "{field} must be an object {{\"party\": n, \"candidates\": {{...}}}}, found {what}"
        );
        report(self.issues, &codes::INVALID_VALUE, field, message);
        None
    }
}

impl<'de> DeserializeSeed<'de> for PartySeed<'_, '_> {
    type Value = Option<(u32, Vec<OptionVotes>)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PartySeed<'_, '_> {
    type Value = Option<(u32, Vec<OptionVotes>)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a party entry object")
    }

    reject_non_objects!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let party_key = self.key;
        let path = |name: &str| format!("options.{}.{}", shown(party_key), shown(name));
        let before = self.issues.len();
        let mut votes = None;
        let mut candidates = None;
        while let Some(Key(key)) = map.next_key()? {
            let slot_taken = match key.as_ref() {
                "party" => votes.is_some(),
                "candidates" => candidates.is_some(),
                _ => {
                    let message = format!(
                        "a party entry has only \"party\" and \"candidates\", found {:?}",
                        shown(&key)
                    );
                    report(self.issues, &codes::UNKNOWN_FIELD, path(&key), message);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot_taken {
                let field = path(&key);
                let message = format!("{field} appears more than once");
                report(self.issues, &codes::DUPLICATE_KEY, field, message);
                map.next_value::<IgnoredAny>()?;
            } else if key == "party" {
                votes = Some(match map.next_value_seed(CountSeed)? {
                    Ok(v) => v,
                    Err(bad) => {
                        bad.issue(self.issues, path("party"));
                        0
                    }
                });
            } else {
                candidates = Some(map.next_value_seed(CandidatesSeed {
                    party_key,
                    issues: self.issues,
                })?);
            }
        }
        for (name, absent) in [
            ("party", votes.is_none()),
            ("candidates", candidates.is_none()),
        ] {
            if absent {
                let field = path(name);
                let message = format!("{field} is missing");
                report(self.issues, &codes::MISSING_FIELD, field, message);
            }
        }
        Ok(match (votes, candidates) {
            (Some(v), Some(Some(c))) if self.issues.len() == before => Some((v, c)),
            _ => None,
        })
    }
}

/// A party's `candidates` object.
struct CandidatesSeed<'p, 'a> {
    /// The key of the party, as written.
    party_key: &'p str,
    issues: &'a mut Vec<Issue>,
}

impl CandidatesSeed<'_, '_> {
    fn not_an_object(self, what: &str) -> Option<Vec<OptionVotes>> {
        let field = format!("options.{}.candidates", shown(self.party_key));
        let message = format!("{field} must be an object, found {what}");
        report(self.issues, &codes::INVALID_VALUE, field, message);
        None
    }
}

impl<'de> DeserializeSeed<'de> for CandidatesSeed<'_, '_> {
    type Value = Option<Vec<OptionVotes>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CandidatesSeed<'_, '_> {
    type Value = Option<Vec<OptionVotes>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a candidates object")
    }

    reject_non_objects!();

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let party_key = self.party_key;
        let prefix = || format!("options.{}.candidates", shown(party_key));
        numbered(map, prefix, false, self.issues).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PPWP: &str = r#"{
        "pemilih_dpt_l": 88, "pemilih_dpt_p": 86, "pemilih_dpt_j": 174,
        "pengguna_dpt_l": 63, "pengguna_dpt_p": 74, "pengguna_dpt_j": 137,
        "pengguna_dptb_l": 2, "pengguna_dptb_p": 1, "pengguna_dptb_j": 3,
        "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_non_dpt_j": 0,
        "pengguna_total_l": 65, "pengguna_total_p": 75, "pengguna_total_j": 140,
        "suara_sah": 140, "suara_tidak_sah": 0, "suara_total": 140,
        "options": {"01": 44, "02": 78, "03": 18}
    }"#;

    fn with(field_and_value: &str) -> String {
        PPWP.replacen("\"suara_tidak_sah\": 0", field_and_value, 1)
    }

    fn codes_of(contest: Contest, json: &str) -> Vec<(&'static str, Option<String>)> {
        match parse(contest, json.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(FormErrors(issues)) => issues.into_iter().map(|i| (i.code, i.field)).collect(),
        }
    }

    fn one(code: &'static str, field: &str) -> Vec<(&'static str, Option<String>)> {
        vec![(code, Some(field.to_owned()))]
    }

    #[test]
    fn a_real_ppwp_form_parses_and_serializes_back_in_field_order() {
        let form = parse(Contest::Ppwp, PPWP.as_bytes()).unwrap();
        assert_eq!(form.suara_sah, 140);
        assert_eq!(form.pengguna_dptb.l, 2);
        assert_eq!(form.disabilitas, None);
        let json = serde_json::to_string(&form).unwrap();
        assert!(json.starts_with(r#"{"pemilih_dpt_l":88,"pemilih_dpt_p":86,"#));
        assert!(json.ends_with(r#""suara_total":140,"options":{"01":44,"02":78,"03":18}}"#));
        assert_eq!(parse(Contest::Ppwp, json.as_bytes()).unwrap(), form);
    }

    #[test]
    fn malformed_json_is_one_issue_with_its_position() {
        let issues = parse(Contest::Ppwp, b"{\"suara_sah\": 1,").unwrap_err().0;
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "request.malformed_json");
        assert!(
            issues[0].message.contains("line 1"),
            "{}",
            issues[0].message
        );
        let trailing = codes_of(Contest::Ppwp, &format!("{PPWP} {{}}"));
        assert_eq!(trailing, vec![("request.malformed_json", None)]);
    }

    #[test]
    fn a_top_level_that_is_not_an_object_is_refused() {
        for body in ["[]", "[1, {\"a\": 2}]", "12", "\"x\"", "null", "true"] {
            assert_eq!(
                codes_of(Contest::Ppwp, body),
                vec![("form.not_an_object", None)],
                "{body}"
            );
        }
    }

    #[test]
    fn every_kind_of_bad_number_names_its_field() {
        for bad in [
            "-1",
            "-0",
            "1.5",
            "1.0",
            "1e2",
            "1e20",
            "99999999999999999999",
            "10000",
            "\"12\"",
            "\"x\"",
            "null",
            "true",
            "[1]",
            "{\"a\": 1}",
        ] {
            let got = codes_of(Contest::Ppwp, &with(&format!("\"suara_tidak_sah\": {bad}")));
            assert_eq!(got, one("form.invalid_number", "suara_tidak_sah"), "{bad}");
        }
        assert_eq!(
            codes_of(Contest::Ppwp, &with("\"suara_tidak_sah\": 9999")),
            vec![]
        );
    }

    #[test]
    fn the_message_of_a_bad_number_says_what_was_found() {
        let issues = parse(
            Contest::Ppwp,
            with("\"suara_tidak_sah\": \"12\"").as_bytes(),
        )
        .unwrap_err()
        .0;
        assert_eq!(
            issues[0].message,
            "suara_tidak_sah must be a whole number from 0 to 9999, found the string \"12\": write the number without quotes"
        );
    }

    #[test]
    fn duplicate_keys_are_caught_at_every_level() {
        let top = with("\"suara_tidak_sah\": 0, \"suara_tidak_sah\": 0");
        assert_eq!(
            codes_of(Contest::Ppwp, &top),
            one("form.duplicate_key", "suara_tidak_sah")
        );
        let options = PPWP.replace("\"03\": 18", "\"03\": 18, \"01\": 44");
        assert_eq!(
            codes_of(Contest::Ppwp, &options),
            one("form.duplicate_key", "options.01")
        );
        let twice = with("\"suara_tidak_sah\": 0, \"options\": {}");
        assert_eq!(
            codes_of(Contest::Ppwp, &twice),
            one("form.duplicate_key", "options")
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_all_reported() {
        let body = PPWP
            .replace("\"suara_sah\": 140,", "\"suara_sahh\": 140,")
            .replace(
                "\"pengguna_total_j\": 140",
                "\"pengguna_total_j\": 140, \"pemilih_disabilitas_l\": 1",
            );
        let mut got = codes_of(Contest::Ppwp, &body);
        got.sort();
        let mut want = vec![
            ("form.unknown_field", Some("suara_sahh".to_owned())),
            ("form.missing_field", Some("suara_sah".to_owned())),
        ];
        for f in [
            "pemilih_disabilitas_p",
            "pemilih_disabilitas_j",
            "pengguna_disabilitas_l",
            "pengguna_disabilitas_p",
            "pengguna_disabilitas_j",
        ] {
            want.push(("form.missing_field", Some(f.to_owned())));
        }
        want.sort();
        assert_eq!(got, want);
        let mut no_options: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(PPWP).unwrap();
        no_options.remove("options");
        let no_options = serde_json::to_string(&no_options).unwrap();
        assert_eq!(
            codes_of(Contest::Ppwp, &no_options),
            one("form.missing_field", "options")
        );
    }

    #[test]
    fn optional_sections_are_read_whole() {
        let body = with(
            "\"suara_tidak_sah\": 0, \"surat_suara_diterima\": 180, \"surat_suara_digunakan\": 140, \
             \"surat_suara_tidak_digunakan\": 38, \"surat_suara_rusak\": 2",
        );
        let form = parse(Contest::Ppwp, body.as_bytes()).unwrap();
        let s = form.surat_suara.unwrap();
        assert_eq!(
            (s.diterima, s.digunakan, s.tidak_digunakan, s.rusak),
            (180, 140, 38, 2)
        );
        let json = serde_json::to_string(&form).unwrap();
        assert_eq!(parse(Contest::Ppwp, json.as_bytes()).unwrap(), form);
    }

    #[test]
    fn option_keys_are_written_as_on_the_ballot() {
        for key in ["1", "001", "00", "x", ""] {
            let body = PPWP.replace("\"01\": 44", &format!("\"{key}\": 44"));
            assert_eq!(
                codes_of(Contest::Ppwp, &body),
                one("form.unknown_option", &format!("options.{key}")),
                "{key}"
            );
        }
        let dpd = PPWP.replace(
            "{\"01\": 44, \"02\": 78, \"03\": 18}",
            "{\"1\": 44, \"12\": 78, \"03\": 18}",
        );
        assert_eq!(
            codes_of(Contest::Dpd, &dpd),
            one("form.unknown_option", "options.03")
        );
    }

    #[test]
    fn legislative_options_are_parties_with_candidates() {
        let options = r#"{"24": {"party": 3, "candidates": {"2": 1, "1": 4}}, "1": {"candidates": {}, "party": 0}}"#;
        let body = PPWP.replace("{\"01\": 44, \"02\": 78, \"03\": 18}", options);
        let form = parse(Contest::Dpr, body.as_bytes()).unwrap();
        let Options::Parties(parties) = &form.options else {
            panic!("not parties")
        };
        assert_eq!(parties.iter().map(|p| p.party).collect::<Vec<_>>(), [1, 24]);
        assert_eq!(parties[1].total(), 8);
        assert_eq!(form.options.sum(), 8);
        let json = serde_json::to_string(&form.options).unwrap();
        assert_eq!(
            json,
            r#"{"1":{"party":0,"candidates":{}},"24":{"party":3,"candidates":{"1":4,"2":1}}}"#
        );
    }

    #[test]
    fn legislative_shape_problems_name_their_path() {
        let cases = [
            (r#"{"5": 3}"#, "form.invalid_value", "options.5"),
            (
                r#"{"5": {"party": 1}}"#,
                "form.missing_field",
                "options.5.candidates",
            ),
            (
                r#"{"5": {"party": 1, "candidates": [], "x": 1}}"#,
                "form.unknown_field",
                "options.5.x",
            ),
            (
                r#"{"5": {"party": 1, "party": 1, "candidates": {}}}"#,
                "form.duplicate_key",
                "options.5.party",
            ),
            (
                r#"{"5": {"party": 1, "candidates": {"2": -1}}}"#,
                "form.invalid_number",
                "options.5.candidates.2",
            ),
            (
                r#"{"5": {"party": 1, "candidates": {"2": 1, "2": 1}}}"#,
                "form.duplicate_key",
                "options.5.candidates.2",
            ),
            (
                r#"{"05": {"party": 1, "candidates": {}}}"#,
                "form.unknown_option",
                "options.05",
            ),
            (
                r#"{"256": {"party": 1, "candidates": {}}}"#,
                "form.unknown_option",
                "options.256",
            ),
        ];
        for (options, code, field) in cases {
            let body = PPWP.replace("{\"01\": 44, \"02\": 78, \"03\": 18}", options);
            let got = codes_of(Contest::Dpr, &body);
            assert!(
                got.contains(&(code, Some(field.to_owned()))),
                "{options}: {got:?}"
            );
        }
        let bad_candidates = PPWP.replace(
            "{\"01\": 44, \"02\": 78, \"03\": 18}",
            r#"{"5": {"party": 1, "candidates": []}}"#,
        );
        assert_eq!(
            codes_of(Contest::Dpr, &bad_candidates),
            one("form.invalid_value", "options.5.candidates")
        );
        let not_object = PPWP.replace("{\"01\": 44, \"02\": 78, \"03\": 18}", "[1, 2]");
        assert_eq!(
            codes_of(Contest::Dpr, &not_object),
            one("form.invalid_value", "options")
        );
    }

    /// serde_json skips ignored values without recursion, and the
    /// visitors here nest only as deep as the form does.
    #[test]
    fn deep_nesting_is_reported_without_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            codes_of(Contest::Ppwp, &deep),
            vec![("form.not_an_object", None)]
        );
        let nested = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
        let in_count = with(&format!("\"suara_tidak_sah\": {nested}"));
        assert_eq!(
            codes_of(Contest::Ppwp, &in_count),
            one("form.invalid_number", "suara_tidak_sah")
        );
    }

    #[test]
    fn hostile_keys_are_cut_short_in_messages() {
        let long = "k".repeat(10_000);
        let issues = parse(Contest::Ppwp, with(&format!("\"{long}\": 1")).as_bytes())
            .unwrap_err()
            .0;
        assert_eq!(issues[0].code, "form.unknown_field");
        assert!(issues[0].message.len() < 200);
    }
}
