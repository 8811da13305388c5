//! The patterns of the OpenAPI file accept exactly what the server's
//! parsers accept: a client that validates against the document never
//! sends a code the server refuses as malformed, nor is told a code is
//! malformed that the server would take. Checked on many drawn strings near
//! the valid ones (digits, dots, dashes, zeros, wrong widths).

use regex::Regex;
use saksi_core::username::Username;
use saksi_core::{DapilCode, Level, RegionCode};
use serde_json::Value;

const OPENAPI: &str = include_str!("../../../saksi-server/src/openapi.json");

/// The pattern of a path parameter of `path`'s GET or POST.
fn parameter_pattern(doc: &Value, path: &str, name: &str) -> Regex {
    let operation = &doc["paths"][path];
    let operation = operation
        .get("get")
        .or_else(|| operation.get("post"))
        .unwrap();
    let parameter = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no parameter {name}"));
    Regex::new(parameter["schema"]["pattern"].as_str().unwrap()).unwrap()
}

/// A small deterministic generator (xorshift64*), enough to draw strings.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    fn pick(&mut self, chars: &[u8]) -> char {
        chars[self.below(chars.len() as u64) as usize] as char
    }

    /// A string of up to six segments of up to five characters, mostly
    /// digits (zeros often), joined by dots or not at all.
    fn code_like(&mut self) -> String {
        let dotted = self.below(2) == 0;
        let segments = self.below(7);
        let mut s = String::new();
        for i in 0..segments {
            if dotted && i > 0 {
                s.push('.');
            }
            let width = [2, 2, 2, 4, 3, 1, 5][self.below(7) as usize];
            for _ in 0..width {
                s.push(self.pick(b"0000123456789"));
            }
        }
        if self.below(20) == 0 {
            let at = self.below(s.len() as u64 + 1) as usize;
            s.insert(at, self.pick(b".-a 0\n"));
        }
        s
    }

    fn text(&mut self, alphabet: &[u8], max: u64) -> String {
        let len = self.below(max + 1);
        (0..len).map(|_| self.pick(alphabet)).collect()
    }
}

#[test]
fn region_and_tps_patterns_match_the_parser() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let region = parameter_pattern(&doc, "/api/v1/regions/{code}", "code");
    let tps = parameter_pattern(&doc, "/api/v1/tps/{code}", "code");
    let mut draw = Draw(0x5AC5_1D0C_0DE5);
    let (mut regions, mut stations) = (0, 0);
    for s in (0..200_000)
        .map(|_| draw.code_like())
        .chain(["0", "00", "11", "1101012001001", "11.01.01.2001.001"].map(String::from))
    {
        let parsed = RegionCode::parse(&s);
        assert_eq!(region.is_match(&s), parsed.is_ok(), "region code {s:?}");
        let is_tps = parsed.is_ok_and(|c| c.level() == Level::Tps);
        assert_eq!(tps.is_match(&s), is_tps, "TPS code {s:?}");
        regions += usize::from(region.is_match(&s));
        stations += usize::from(is_tps);
    }
    let receipt = &doc["components"]["schemas"]["FormReceipt"]["properties"]["tps"]["pattern"];
    assert_eq!(receipt.as_str(), Some(tps.as_str()), "a receipt's TPS");
    // The draw reaches both sides of each pattern.
    assert!(
        regions > 1000 && stations > 100,
        "{regions} regions, {stations} TPS"
    );
}

#[test]
fn dapil_and_username_patterns_match_the_parsers() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let dapil = parameter_pattern(&doc, "/api/v1/results/{contest}/dapil/{dapil}", "dapil");
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["properties"]["username"]["pattern"];
    let username = Regex::new(login.as_str().unwrap()).unwrap();
    let mut draw = Draw(0xD4_B11);
    for _ in 0..100_000 {
        let s = draw.text(b"0123456789.-_ a", 18);
        assert_eq!(
            dapil.is_match(&s),
            DapilCode::parse(&s).is_ok(),
            "dapil {s:?}"
        );
        let s = draw.text(b"aZ09_.-+ \n\xc3", 66);
        assert_eq!(
            username.is_match(&s),
            Username::parse(&s).is_ok(),
            "username {s:?}"
        );
    }
}
