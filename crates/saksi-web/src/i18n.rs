//! The two languages of the workspace: Bahasa Indonesia by default, whatever
//! the browser asks for, and English when the visitor chooses it.
//!
//! Every string a page shows comes from one catalogue per language
//! (`catalogue/id.json`, `catalogue/en.json`, nested objects of strings),
//! so a translator edits one file and a test checks that both hold the
//! same keys. Domain words (TPS, KPPS, PPK, C.Hasil, DPT) stay as officers
//! say them in both.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header;
use serde_json::Value;

/// The cookie that remembers the visitor's choice.
pub const COOKIE: &str = "saksi_lang";

/// A language of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    /// The BCP 47 tag, as `<html lang>` and the cookie hold it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switch link offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    pub fn catalogue(self) -> &'static Catalogue {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    /// `n` with its thousands grouped as the language writes them
    /// (1.234.567 in Bahasa Indonesia, 1,234,567 in English).
    pub fn number(self, n: u64) -> String {
        let sep = match self {
            Lang::Id => '.',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(d);
        }
        out
    }
}

/// The visitor's language and whether to offer the other one: a browser
/// that prefers English but has not chosen is shown the page in Bahasa
/// Indonesia with an offer to switch, in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub lang: Lang,
    pub offer_other: bool,
}

impl Choice {
    pub fn of(headers: &HeaderMap) -> Choice {
        if let Some(lang) = crate::session::cookie(headers, COOKIE).and_then(Lang::parse) {
            return Choice {
                lang,
                offer_other: false,
            };
        }
        Choice {
            lang: Lang::Id,
            offer_other: prefers_english(headers),
        }
    }
}

/// True if the browser's most preferred language is English: the first
/// tag of `Accept-Language` with the highest weight.
fn prefers_english(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut best: Option<(f32, &str)> = None;
    for part in value.split(',').take(32) {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let weight = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, tag));
        }
    }
    best.is_some_and(|(w, tag)| {
        w > 0.0 && (tag.eq_ignore_ascii_case("en") || tag.to_ascii_lowercase().starts_with("en-"))
    })
}

/// One language's strings.
#[derive(Debug)]
pub struct Catalogue {
    tree: Value,
}

static ID: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue::parse(include_str!("../catalogue/id.json")));
static EN: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue::parse(include_str!("../catalogue/en.json")));

impl Catalogue {
    /// The catalogues are compiled in; the test of both catalogues parses
    /// them, so a broken file fails the tests, not a server.
    fn parse(text: &str) -> Catalogue {
        let tree: Value = serde_json::from_str(text).expect("a catalogue is valid JSON");
        Catalogue { tree }
    }

    /// The whole tree, as templates read it (`t.login.title`).
    pub fn tree(&self) -> &Value {
        &self.tree
    }

    /// A string by its dotted key (`login.title`); the key is the whole
    /// remaining path when a member's name holds dots (error codes).
    pub fn get(&self, key: &str) -> Option<&str> {
        let mut node = &self.tree;
        let mut rest = key;
        loop {
            if let Some(s) = node.get(rest).and_then(Value::as_str) {
                return Some(s);
            }
            let (head, tail) = rest.split_once('.')?;
            node = node.get(head)?;
            rest = tail;
        }
    }

    /// What to tell the user about an API error code, in this language;
    /// the API's own (English) message when the catalogue has none.
    pub fn error(&self, code: &str, fallback: &str) -> String {
        match self
            .tree
            .get("error")
            .and_then(|e| e.get(code))
            .and_then(Value::as_str)
        {
            Some(s) => s.to_owned(),
            None => fallback.to_owned(),
        }
    }

    /// Every key, dotted, for the test that both languages hold the same.
    pub fn keys(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        flatten(&self.tree, String::new(), &mut out);
        out
    }
}

fn flatten(value: &Value, prefix: String, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}/{k}")
                };
                flatten(v, key, out);
            }
        }
        _ => {
            out.insert(prefix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_catalogues_hold_the_same_keys_and_no_empty_string() {
        let id = ID.keys();
        let en = EN.keys();
        let only_id: Vec<_> = id.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&id).collect();
        assert!(only_id.is_empty(), "only in id.json: {only_id:?}");
        assert!(only_en.is_empty(), "only in en.json: {only_en:?}");
        assert!(id.len() > 50, "{}", id.len());
        for lang in [Lang::Id, Lang::En] {
            let mut strings = Vec::new();
            collect_strings(lang.catalogue().tree(), &mut strings);
            assert!(strings.iter().all(|s| !s.trim().is_empty()), "{lang:?}");
        }
    }

    fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
            Value::String(s) => out.push(s),
            other => panic!("a catalogue holds only objects and strings: {other}"),
        }
    }

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(Lang::Id.number(0), "0");
        assert_eq!(Lang::Id.number(999), "999");
        assert_eq!(Lang::Id.number(1_000), "1.000");
        assert_eq!(Lang::Id.number(204_807_222), "204.807.222");
        assert_eq!(Lang::En.number(204_807_222), "204,807,222");
    }

    #[test]
    fn dotted_keys_reach_nested_strings_and_error_codes() {
        assert_eq!(EN.get("login.title"), Some("Log in"));
        assert!(ID.get("error.auth.invalid_credentials").is_some());
        assert_eq!(EN.get("login.nonexistent"), None);
        assert_eq!(
            EN.error("no.such_code", "as the API said"),
            "as the API said"
        );
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn indonesian_by_default_english_offered_to_an_english_browser_and_kept_once_chosen() {
        let plain = Choice::of(&headers(&[]));
        assert_eq!(
            plain,
            Choice {
                lang: Lang::Id,
                offer_other: false
            }
        );
        let english_browser = Choice::of(&headers(&[(
            header::ACCEPT_LANGUAGE,
            "en-GB,en;q=0.9,id;q=0.5",
        )]));
        assert_eq!(
            english_browser,
            Choice {
                lang: Lang::Id,
                offer_other: true
            }
        );
        let indonesian_first = Choice::of(&headers(&[(header::ACCEPT_LANGUAGE, "id-ID,en;q=0.8")]));
        assert!(!indonesian_first.offer_other);
        let weighted = Choice::of(&headers(&[(
            header::ACCEPT_LANGUAGE,
            "id;q=0.3, en-US;q=0.9",
        )]));
        assert!(weighted.offer_other);
        let chosen = Choice::of(&headers(&[
            (header::ACCEPT_LANGUAGE, "id"),
            (header::COOKIE, "other=1; saksi_lang=en"),
        ]));
        assert_eq!(
            chosen,
            Choice {
                lang: Lang::En,
                offer_other: false
            }
        );
        let chose_id = Choice::of(&headers(&[
            (header::ACCEPT_LANGUAGE, "en"),
            (header::COOKIE, "saksi_lang=id"),
        ]));
        assert_eq!(
            chose_id,
            Choice {
                lang: Lang::Id,
                offer_other: false
            }
        );
    }
}
