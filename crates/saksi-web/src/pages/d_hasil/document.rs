//! The D.Hasil as its template draws it: every number grouped for
//! reading in the visitor's language, digests and keys in hex as the log
//! holds them, and the links a reader follows to check each line.

use saksi_core::Level;
use saksi_core::tally::Totals;
use saksi_server::d_hasil::{ChildRecap, Confirmed, DHasil, ObjectionRecap};
use saksi_statement::recap::Objector;
use serde::Serialize;

use crate::i18n::{Catalogue, Lang};

/// The counts of `T` a D.Hasil prints, in order, by their names in
/// `saksi_core::tally::FIXED` (the TPS counts are printed together as
/// "reported / expected").
const COUNTS: [&str; 5] = [
    "dpt",
    "pengguna_total_j",
    "suara_sah",
    "suara_tidak_sah",
    "suara_total",
];

#[derive(Debug, Serialize)]
pub struct Document {
    contest: &'static str,
    contest_name: &'static str,
    code: String,
    name: String,
    level: &'static str,
    /// The level of the children (`tps` for a kecamatan).
    child_level: &'static str,
    digest: String,
    k: u32,
    log_index: u64,
    signed_at: String,
    counts: Vec<Count>,
    tps: String,
    options: Vec<OptionRow>,
    children: Vec<ChildRow>,
    objections: Vec<ObjectionRow>,
    objections_total: usize,
    /// How many are not listed (beyond the first 200).
    objections_more: usize,
    confirmations: Vec<KeyRow>,
    checkpoint: Option<CheckpointView>,
    /// The region's public results page: as a link, in words, and as a
    /// QR code.
    results: String,
    public_url: String,
    qr: Option<String>,
}

#[derive(Debug, Serialize)]
struct Count {
    key: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
struct OptionRow {
    key: String,
    name: String,
    votes: String,
}

#[derive(Debug, Serialize)]
struct ChildRow {
    code: String,
    name: String,
    /// The child's own page: a TPS's public page, or a region's D.Hasil.
    href: String,
    digest: String,
    counts: Vec<Count>,
    /// `key: votes` for each option, one line.
    options: String,
    objections: usize,
}

#[derive(Debug, Serialize)]
struct ObjectionRow {
    log_index: u64,
    tps: String,
    version: u32,
    fields: String,
    text: String,
    by: String,
    status: &'static str,
    ruling_log_index: Option<u64>,
    ruling_reason: Option<String>,
    correction: Option<CorrectionRow>,
}

#[derive(Debug, Serialize)]
struct CorrectionRow {
    log_index: u64,
    version: u32,
    reason: String,
    /// What the correction changed, box by box.
    diff_href: String,
}

#[derive(Debug, Serialize)]
struct KeyRow {
    key_id: String,
    log_index: u64,
    key: String,
    logged_at: String,
}

#[derive(Debug, Serialize)]
struct CheckpointView {
    size: u64,
    note: String,
    proof_href: String,
}

/// The D.Hasil `doc` laid out in `lang`, with its public page's path
/// (`results`), absolute address and QR code.
pub fn of(
    doc: &DHasil,
    lang: Lang,
    results: String,
    public_url: &str,
    qr: Option<String>,
) -> Document {
    let n = |v: u64| lang.number(v);
    let child_level = if doc.code.level() == Level::Kecamatan {
        Level::Tps
    } else {
        doc.code.level().child().unwrap_or(Level::Tps)
    };
    let name_of = |key: &str| {
        doc.option_names
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(String::new, |(_, name)| name.clone())
    };
    Document {
        contest: doc.contest.id(),
        contest_name: doc.contest.name(),
        code: doc.code.to_string(),
        name: doc.name.clone(),
        level: doc.code.level().as_str(),
        child_level: child_level.as_str(),
        digest: hex::encode(doc.digest),
        k: doc.k,
        log_index: doc.log_index,
        signed_at: doc.signed_at.to_string(),
        counts: counts(&doc.totals, lang),
        tps: format!(
            "{} / {}",
            n(count(&doc.totals, "tps_reported")),
            n(count(&doc.totals, "tps_expected"))
        ),
        options: doc
            .totals
            .options
            .iter()
            .map(|(key, votes)| OptionRow {
                key: key.clone(),
                name: name_of(key),
                votes: n(*votes),
            })
            .collect(),
        children: doc.children.iter().map(|c| child(doc, c, lang)).collect(),
        objections: doc
            .review
            .listed
            .iter()
            .map(|o| objection(doc, o, lang))
            .collect(),
        objections_total: doc.review.total,
        objections_more: doc.review.total - doc.review.listed.len(),
        confirmations: doc.confirmations.iter().map(key_row).collect(),
        checkpoint: doc.checkpoint.as_ref().map(|p| CheckpointView {
            size: p.checkpoint.size,
            note: p.note.clone(),
            proof_href: format!(
                "/api/v1/log/proof/inclusion?index={}&size={}",
                doc.log_index, p.checkpoint.size
            ),
        }),
        results,
        public_url: public_url.to_owned(),
        qr,
    }
}

fn count(totals: &Totals, name: &str) -> u64 {
    totals.get(name).unwrap_or(0)
}

fn counts(totals: &Totals, lang: Lang) -> Vec<Count> {
    COUNTS
        .iter()
        .map(|key| Count {
            key,
            value: lang.number(count(totals, key)),
        })
        .collect()
}

fn child(doc: &DHasil, c: &ChildRecap, lang: Lang) -> ChildRow {
    let href = if c.code.level() == Level::Tps {
        format!("/#/tps/{}", c.code)
    } else {
        format!("/recap/{}/{}/d-hasil", doc.contest.id(), c.code)
    };
    ChildRow {
        code: c.code.to_string(),
        name: c.name.clone(),
        href,
        digest: hex::encode(c.digest),
        counts: counts(&c.totals, lang),
        options: c
            .totals
            .options
            .iter()
            .map(|(key, votes)| format!("{key}: {}", lang.number(*votes)))
            .collect::<Vec<_>>()
            .join(" · "),
        objections: doc.review.count_in(c.code),
    }
}

fn objection(doc: &DHasil, o: &ObjectionRecap, lang: Lang) -> ObjectionRow {
    let s = &o.state;
    let tps = s.objection.tps;
    ObjectionRow {
        log_index: s.log_index,
        tps: tps.to_string(),
        version: s.objection.version,
        fields: s.objection.fields.join(", "),
        text: s.objection.text.clone(),
        by: objector(s.objection.by, lang.catalogue()),
        status: s.status().id(),
        ruling_log_index: s.ruling.map(|(_, at)| at),
        ruling_reason: o.ruling_reason.clone(),
        correction: o.correction.as_ref().map(|c| CorrectionRow {
            log_index: c.log_index,
            version: c.version,
            reason: c.reason.clone(),
            diff_href: format!(
                "/api/v1/tps/{tps}/diff/{}?from={}&to={}",
                doc.contest.id(),
                s.objection.version,
                c.version
            ),
        }),
    }
}

/// Who objected, by role, region and party or pair, never by name (as the
/// log records it).
fn objector(by: Objector, catalogue: &Catalogue) -> String {
    let say = |key: &str, n: String| catalogue.get(key).unwrap_or(key).replace("{n}", &n);
    let who = match by {
        Objector::Party { party, .. } => say("d_hasil.by_party", party.to_string()),
        Objector::Paslon { paslon, .. } => say("d_hasil.by_paslon", format!("{paslon:02}")),
        Objector::Bawaslu { .. } => say("d_hasil.by_bawaslu", String::new()),
    };
    format!("{who} · {}", by.region())
}

fn key_row(c: &Confirmed) -> KeyRow {
    KeyRow {
        key_id: format!("{:08x}", c.key_id),
        log_index: c.log_index,
        key: c.key.clone(),
        logged_at: c.logged_at.to_string(),
    }
}
