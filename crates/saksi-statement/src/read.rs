//! Reading canonical JSON objects in place: members by name and typed
//! values, over bytes already checked by `saksi_log::canonical_check`.
//! Statements and log entries are read through it, by the server and by
//! the auditor, so a member is read one way everywhere and no
//! `serde_json::Value` of a whole entry is ever built.

use std::borrow::Cow;

use saksi_core::time::UnixTime;
use saksi_log::canonical_check::{self, Layout};

use crate::StatementError;

/// An object's members, in their (sorted) order: name, value bytes, and
/// the member's number in the [`Layout`] (to read its own members).
#[derive(Debug)]
pub struct Object<'a> {
    bytes: &'a [u8],
    members: Vec<(Cow<'a, str>, &'a [u8], usize)>,
}

impl<'a> Object<'a> {
    /// The top-level object of checked `bytes`; `None` if they hold
    /// another kind of value.
    pub fn top(bytes: &'a [u8], layout: &Layout) -> Option<Object<'a>> {
        canonical_check::is_object(bytes).then(|| Object {
            bytes,
            members: layout.members(bytes, None),
        })
    }

    /// The object that is member `name`'s value, when this is the
    /// top-level object (the layout records two levels); `None` if the
    /// member is absent or not an object.
    pub fn object(&self, layout: &Layout, name: &str) -> Option<Object<'a>> {
        let (_, value, index) = self.members.iter().find(|(n, ..)| n == name)?;
        canonical_check::is_object(value).then(|| Object {
            bytes: self.bytes,
            members: layout.members(self.bytes, Some(*index)),
        })
    }

    /// A member's value bytes (themselves canonical).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.members
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, v, _)| *v)
    }

    /// The member names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.members.iter().map(|(n, ..)| n.as_ref()).collect()
    }

    /// A member that must be present.
    pub fn member(&self, name: &str) -> Result<&'a [u8], StatementError> {
        self.get(name)
            .ok_or_else(|| StatementError::Malformed(format!("`{name}` is missing")))
    }

    /// A string member.
    pub fn str(&self, name: &str) -> Result<Cow<'a, str>, StatementError> {
        canonical_check::as_str(self.member(name)?)
            .ok_or_else(|| StatementError::Malformed(format!("`{name}` must be a string")))
    }

    /// An RFC 3339 UTC time member.
    pub fn time(&self, name: &str) -> Result<UnixTime, StatementError> {
        UnixTime::parse_rfc3339(&self.str(name)?).ok_or_else(|| {
            StatementError::Malformed(format!(
                "`{name}` must be an RFC 3339 UTC time like 2024-02-14T13:00:00Z"
            ))
        })
    }

    /// A time member written as log entries write times: RFC 3339 UTC with
    /// whole seconds, `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn utc_seconds(&self, name: &str) -> Result<UnixTime, StatementError> {
        let text = self.str(name)?;
        UnixTime::parse_rfc3339(&text)
            .filter(|_| is_utc_seconds(&text))
            .ok_or_else(|| {
                StatementError::Malformed(format!(
                    "`{name}` is not RFC 3339 UTC with whole seconds"
                ))
            })
    }

    /// Checks the members every statement has (`v` = 1 and `type`) and
    /// that no member outside `allowed` is present: an unknown member
    /// would be signed but ignored, which a statement must never be.
    pub fn check_header(&self, kind: &str, allowed: &[&str]) -> Result<(), StatementError> {
        let v = self.member("v")?;
        if canonical_check::as_u64(v) != Some(1) {
            return Err(StatementError::UnsupportedVersion(
                String::from_utf8_lossy(v).into_owned(),
            ));
        }
        if self.str("type")? != kind {
            return Err(StatementError::Malformed(format!(
                "`type` must be \"{kind}\""
            )));
        }
        if let Some(unknown) = self
            .names()
            .into_iter()
            .find(|k| !allowed.contains(k) && *k != "v" && *k != "type")
        {
            return Err(StatementError::Malformed(format!(
                "`{unknown}` is not a member of a {kind} statement"
            )));
        }
        Ok(())
    }
}

/// 64 lowercase hex digits as 32 bytes: how digests are written.
pub fn hex_digest(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// `YYYY-MM-DDTHH:MM:SSZ`: the only time format entries are written in,
/// so decoding and re-encoding a time gives the same bytes.
fn is_utc_seconds(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_seconds_in_utc_and_digests_lowercase_hex() {
        assert!(is_utc_seconds("2024-02-14T13:05:09Z"));
        assert!(!is_utc_seconds("2024-02-14T13:05:09.1Z"));
        assert!(!is_utc_seconds("2024-02-14 13:05:09Z"));
        assert_eq!(hex_digest(&"0f".repeat(32)), Some([15; 32]));
        assert_eq!(hex_digest(&"0F".repeat(32)), None);
        assert_eq!(hex_digest("0f"), None);
    }

    #[test]
    fn members_of_the_top_object_and_of_its_objects_are_read_by_name() {
        let bytes = br#"{"a":{"x":"y"},"n":7,"t":"2024-02-14T13:05:09Z","v":1}"#;
        let layout = canonical_check::check(bytes).unwrap();
        let top = Object::top(bytes, &layout).unwrap();
        assert_eq!(top.names(), ["a", "n", "t", "v"]);
        assert_eq!(top.object(&layout, "a").unwrap().str("x").unwrap(), "y");
        assert!(top.object(&layout, "n").is_none());
        assert!(top.str("n").is_err());
        assert!(top.member("zz").is_err());
        assert_eq!(top.utc_seconds("t").unwrap(), UnixTime(1_707_915_909));
        assert!(Object::top(b"[1]", &canonical_check::check(b"[1]").unwrap()).is_none());
    }
}
