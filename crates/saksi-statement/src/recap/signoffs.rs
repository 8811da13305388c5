//! The sign-offs of a log and their rules: which regions' recaps are
//! pending or final for which contest, who confirmed them, and what a
//! final region locks. The server's sequencer and `saksi audit` hold one
//! [`Signoffs`] each and feed it the log's confirmations and form versions
//! in log order; both refuse exactly what it refuses. Whether the signer
//! is a commissioner of the region is the key chain's question
//! ([`crate::Registry::check_commissioner`]); whether the children a
//! kecamatan's sign-off names are the TPS's current versions is the
//! caller's, who holds the forms.
//!
//! - A confirmation of a region that is final, or below a final region,
//!   is refused: a final region is locked, and so is everything below it.
//! - While a statement is pending, a confirmation of another statement is
//!   refused; a new version of a TPS voids its kecamatan's pending
//!   statement (it no longer sums what is current), so a fresh one can be
//!   signed.
//! - A statement's `k` is the level's quorum, but never more than the
//!   commissioners registered for the region when its first confirmation
//!   is logged; a key confirms a statement once, and the statement is final
//!   when `k` distinct commissioner keys confirmed it.
//! - Above the kecamatan, each child named must be final with the digest
//!   named, and the totals must be the sum of the children's final totals.
//! - A final region is reopened by `k` distinct commissioners of the level
//!   above confirming the identical `reopen` statement naming its final
//!   sign-off (`k` that level's quorum, capped the same way); it voids the
//!   final sign-off of the region and of every region above it.

use std::collections::HashMap;
use std::fmt;

use saksi_core::tally::{FIXED, Totals};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};

use saksi_core::incident::book::Book;

use super::no_form::{NoFormReason, NoFormStatement};
use super::reopen::ReopenStatement;
use super::review::{Review, Status};
use super::signoff::SignoffStatement;
use crate::incident::IncidentId;

/// How many commissioners must confirm a sign-off, per level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    /// Kecamatan, kab/kota, province, national.
    k: [usize; 4],
}

const QUORUM_LEVELS: [Level; 4] = [
    Level::Kecamatan,
    Level::Kabkota,
    Level::Provinsi,
    Level::Nasional,
];

/// The name `--signoff-quorum` gives a level.
fn quorum_name(level: Level) -> &'static str {
    match level {
        Level::Kecamatan => "kecamatan",
        Level::Kabkota => "kabkota",
        Level::Provinsi => "provinsi",
        _ => "nasional",
    }
}

/// The most confirmations a quorum may ask for.
pub const MAX_QUORUM: usize = 50;

impl Default for Quorum {
    /// Three commissioners at every level.
    fn default() -> Quorum {
        Quorum { k: [3; 4] }
    }
}

impl Quorum {
    /// The quorum of a recap level (kecamatan and above).
    pub fn of(&self, level: Level) -> usize {
        QUORUM_LEVELS
            .iter()
            .position(|l| *l == level)
            .map_or(usize::MAX, |i| self.k[i])
    }

    /// Parses `kecamatan=3,kabkota=3,provinsi=3,nasional=3`; a level left
    /// out keeps its default of 3.
    pub fn parse(text: &str) -> Result<Quorum, String> {
        let mut quorum = Quorum::default();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (name, k) = part.split_once('=').ok_or_else(|| {
                format!(
                    "{part:?} is not level=k (e.g. kecamatan=3,kabkota=3,provinsi=3,nasional=3)"
                )
            })?;
            let i = QUORUM_LEVELS
                .iter()
                .position(|l| quorum_name(*l) == name.trim())
                .ok_or_else(|| {
                    format!(
                        "{name:?} is not a recap level: kecamatan, kabkota, provinsi or nasional"
                    )
                })?;
            quorum.k[i] = k
                .trim()
                .parse()
                .ok()
                .filter(|k| (1..=MAX_QUORUM).contains(k))
                .ok_or_else(|| format!("{name}={k}: k must be 1 to {MAX_QUORUM}"))?;
        }
        Ok(quorum)
    }
}

impl fmt::Display for Quorum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = QUORUM_LEVELS
            .iter()
            .zip(self.k)
            .map(|(l, k)| format!("{}={k}", quorum_name(*l)))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// One commissioner's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmation {
    pub key_id: u32,
    pub log_index: u64,
}

/// A statement being confirmed: its digest and who confirmed it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// SHA-256 of the statement's RFC 8785 bytes.
    pub digest: [u8; 32],
    pub confirmations: Vec<Confirmation>,
}

/// A final sign-off: what a parent's sign-off names and sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Final {
    pub digest: [u8; 32],
    pub totals: Totals,
    pub confirmations: Vec<Confirmation>,
    /// The confirmation that made it final: its index and `logged_at`.
    pub log_index: u64,
    pub signed_at: UnixTime,
}

/// A TPS's recorded reason for having no form of a contest: the latest
/// fact of that form (a version after it replaces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoFormRecord {
    pub reason: NoFormReason,
    /// The statement's digest: the TPS's child digest when the reason
    /// settles it.
    pub digest: [u8; 32],
    pub log_index: u64,
    pub incident: Option<IncidentId>,
}

/// Where one region's recap of one contest stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionRecap {
    pub pending: Option<Round>,
    pub last_final: Option<Final>,
    /// A reopen of the final sign-off being confirmed.
    pub reopening: Option<Round>,
    /// The log index of the reopen that voided the last final sign-off
    /// (of this region or of one below), until one is final again.
    pub reopened: Option<u64>,
}

/// Why a confirmation is refused. Each maps to one stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignoffRefusal {
    #[error("the {contest} recap of {region} is final: nothing at or below it is signed again")]
    Locked {
        contest: Contest,
        region: RegionCode,
    },
    #[error("key {key_id:08x} already confirmed this sign-off (log index {log_index})")]
    AlreadyConfirmed { key_id: u32, log_index: u64 },
    #[error(
        "another statement is pending confirmation for this region ({}): confirm that one, identical byte for byte",
        hex::encode(pending)
    )]
    DiffersFromPending { pending: [u8; 32] },
    #[error("{0} is not named: a sign-off names every child holding the contest")]
    ChildMissing(RegionCode),
    #[error("{0} does not hold the contest here: it is not a child of this sign-off")]
    ChildUnexpected(RegionCode),
    #[error("{0} is not in yet: a TPS needs a form, a region a final sign-off")]
    ChildNotIn(RegionCode),
    #[error("{0} is named with a digest that is not its current one")]
    ChildChanged(RegionCode),
    #[error(
        "objection {objection} against TPS {tps} is {status}: every objection is ruled, and every upheld one corrected, before the sign-off"
    )]
    ObjectionOpen {
        objection: u64,
        tps: RegionCode,
        status: &'static str,
    },
    #[error("{0}")]
    NoFormRefused(String),
    #[error(
        "the {contest} recap of {region} has no final sign-off with that digest: nothing to reopen"
    )]
    NotFinal {
        contest: Contest,
        region: RegionCode,
    },
    #[error(
        "the statement asks for {stated} confirmations; {k} are needed here (the signing level's quorum, capped by its commissioners registered)"
    )]
    QuorumMismatch { stated: u32, k: usize },
    #[error("`totals.{field}` is {stated}, but the children it names sum to {sum}")]
    TotalsNotSum {
        field: String,
        stated: u64,
        sum: u64,
    },
}

/// What applying a confirmation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// `have` of `k` confirmations.
    Pending {
        have: usize,
        k: usize,
    },
    Final,
}

/// The sign-offs of a log, by contest and region.
#[derive(Debug, Clone, Default)]
pub struct Signoffs {
    quorum: Quorum,
    regions: HashMap<(Contest, RegionCode), RegionRecap>,
    no_forms: HashMap<(Contest, RegionCode), NoFormRecord>,
}

impl Signoffs {
    pub fn new(quorum: Quorum) -> Signoffs {
        Signoffs {
            quorum,
            regions: HashMap::new(),
            no_forms: HashMap::new(),
        }
    }

    pub fn quorum(&self) -> Quorum {
        self.quorum
    }

    /// The confirmations a region's sign-off needs: the level's quorum,
    /// but no more than the commissioners registered for the region.
    pub fn k(&self, level: Level, registered: usize) -> usize {
        self.quorum.of(level).min(registered).max(1)
    }

    /// A region's recap of a contest, if anything was confirmed.
    pub fn region(&self, contest: Contest, region: RegionCode) -> Option<&RegionRecap> {
        self.regions.get(&(contest, region))
    }

    /// A region's final sign-off.
    pub fn final_of(&self, contest: Contest, region: RegionCode) -> Option<&Final> {
        self.region(contest, region)?.last_final.as_ref()
    }

    /// Whether a new version of a form of `tps` changes anything here: a
    /// statement pending for its kecamatan, or a reason it had no form.
    pub fn touched_by_form(&self, contest: Contest, tps: RegionCode) -> bool {
        self.no_forms.contains_key(&(contest, tps))
            || (!self.regions.is_empty()
                && tps
                    .ancestor_at(Level::Kecamatan)
                    .and_then(|k| self.region(contest, k))
                    .is_some_and(|r| r.pending.is_some()))
    }

    /// The reason recorded for a TPS having no form, if it is the latest
    /// fact of that form.
    pub fn no_form(&self, contest: Contest, tps: RegionCode) -> Option<&NoFormRecord> {
        self.no_forms.get(&(contest, tps))
    }

    /// Every reason recorded: contest, TPS and its log index.
    pub fn no_forms_logged(&self) -> Vec<(Contest, RegionCode, u64)> {
        self.no_forms
            .iter()
            .map(|((contest, tps), r)| (*contest, *tps, r.log_index))
            .collect()
    }

    /// Checks a PPK member's reason why a TPS has no form: not below a
    /// final region; `not_held` and `no_voters` only for a TPS with no form
    /// (`has_form`); `incident` naming an incident filed at the TPS or a
    /// region holding it (`incidents`, the log's incidents).
    pub fn check_no_form(
        &self,
        statement: &NoFormStatement,
        has_form: bool,
        incidents: &Book,
    ) -> Result<(), SignoffRefusal> {
        let (contest, tps) = (statement.contest, statement.tps);
        if let Some(region) = self.locked_by(contest, tps) {
            return Err(SignoffRefusal::Locked { contest, region });
        }
        if statement.reason.settles() && has_form {
            return Err(SignoffRefusal::NoFormRefused(format!(
                "TPS {tps} has a {contest} form: `{}` is for a TPS with none (a PSU is `revote_ordered`)",
                statement.reason.id()
            )));
        }
        if let Some(id) = statement.incident
            && !incidents
                .get(&id.0)
                .is_some_and(|r| r.public.region.contains(tps))
        {
            return Err(SignoffRefusal::NoFormRefused(format!(
                "no incident {id} was filed at TPS {tps} or a region holding it"
            )));
        }
        Ok(())
    }

    /// Records a checked reason logged at `log_index`.
    pub fn apply_no_form(&mut self, statement: &NoFormStatement, digest: [u8; 32], log_index: u64) {
        let record = NoFormRecord {
            reason: statement.reason,
            digest,
            log_index,
            incident: statement.incident,
        };
        self.no_forms
            .insert((statement.contest, statement.tps), record);
    }

    /// The kecamatan with a pending statement: contest, code, and the log
    /// index of the statement's first confirmation.
    pub fn pending_kecamatan(&self) -> Vec<(Contest, RegionCode, u64)> {
        self.regions
            .iter()
            .filter(|((_, region), _)| region.level() == Level::Kecamatan)
            .filter_map(|((contest, region), recap)| {
                let first = recap.pending.as_ref()?.confirmations.first()?;
                Some((*contest, *region, first.log_index))
            })
            .collect()
    }

    /// How many regions of `level` are final for `contest`.
    pub fn finals_at(&self, contest: Contest, level: Level) -> usize {
        self.regions
            .iter()
            .filter(|((c, r), recap)| {
                *c == contest && r.level() == level && recap.last_final.is_some()
            })
            .count()
    }

    /// The final region that locks `code` (itself or an ancestor) for a
    /// contest: no version of a TPS, and no sign-off, below it.
    pub fn locked_by(&self, contest: Contest, code: RegionCode) -> Option<RegionCode> {
        if self.regions.is_empty() {
            return None;
        }
        let mut at = Some(code);
        while let Some(region) = at {
            if self.final_of(contest, region).is_some() {
                return Some(region);
            }
            at = (region != RegionCode::NASIONAL)
                .then(|| region.parent().unwrap_or(RegionCode::NASIONAL));
        }
        None
    }

    /// Checks a confirmation of `statement` (digest `digest`) by `key_id`
    /// against the sign-offs: not locked, not another statement than the
    /// pending one, not confirmed by this key already, and, for a first
    /// confirmation, the `k` the region needs with `registered`
    /// commissioners.
    pub fn check(
        &self,
        statement: &SignoffStatement,
        digest: [u8; 32],
        key_id: u32,
        registered: usize,
    ) -> Result<(), SignoffRefusal> {
        let contest = statement.contest;
        if let Some(region) = self.locked_by(contest, statement.region) {
            return Err(SignoffRefusal::Locked { contest, region });
        }
        let round = self
            .region(contest, statement.region)
            .and_then(|r| r.pending.as_ref());
        check_round(round, digest, key_id, || {
            self.check_k(statement.region.level(), registered, statement.k)
        })
    }

    /// A first confirmation's `k` must be the level's with `registered`
    /// commissioners.
    fn check_k(&self, level: Level, registered: usize, stated: u32) -> Result<(), SignoffRefusal> {
        let k = self.k(level, registered);
        match usize::try_from(stated) == Ok(k) {
            true => Ok(()),
            false => Err(SignoffRefusal::QuorumMismatch { stated, k }),
        }
    }

    /// Above the kecamatan: checks that each child named is final with the
    /// digest named; the sum of their final totals, which the statement's
    /// must equal ([`check_sum`]).
    pub fn children_sum(&self, statement: &SignoffStatement) -> Result<Totals, SignoffRefusal> {
        let mut sum = Totals {
            fixed: [0; FIXED.len()],
            options: Vec::new(),
        };
        for child in &statement.children {
            let done = self
                .final_of(statement.contest, child.code)
                .ok_or(SignoffRefusal::ChildNotIn(child.code))?;
            if done.digest != child.digest {
                return Err(SignoffRefusal::ChildChanged(child.code));
            }
            sum.add(&done.totals);
        }
        Ok(sum)
    }

    /// Records a checked confirmation logged at `log_index`, `logged_at`:
    /// final once the statement's `k` distinct keys confirmed it.
    pub fn apply(
        &mut self,
        statement: &SignoffStatement,
        digest: [u8; 32],
        confirmation: Confirmation,
        logged_at: UnixTime,
    ) -> Applied {
        let recap = self
            .regions
            .entry((statement.contest, statement.region))
            .or_default();
        let round = match confirm(&mut recap.pending, digest, confirmation, statement.k) {
            Ok(round) => round,
            Err(pending) => return pending,
        };
        recap.reopened = None;
        recap.last_final = Some(Final {
            digest,
            totals: statement.totals.clone(),
            confirmations: round.confirmations,
            log_index: confirmation.log_index,
            signed_at: logged_at,
        });
        Applied::Final
    }

    /// Checks a confirmation of a reopen (digest `digest`) by `key_id`,
    /// a commissioner of the level above with `registered` commissioners:
    /// the region is final with the sign-off named, and the statement is
    /// the reopen pending (if any), which this key has not confirmed.
    pub fn check_reopen(
        &self,
        statement: &ReopenStatement,
        digest: [u8; 32],
        key_id: u32,
        registered: usize,
    ) -> Result<(), SignoffRefusal> {
        let (contest, region) = (statement.contest, statement.region);
        let recap = self
            .region(contest, region)
            .filter(|r| {
                r.last_final
                    .as_ref()
                    .is_some_and(|f| f.digest == statement.final_digest)
            })
            .ok_or(SignoffRefusal::NotFinal { contest, region })?;
        let level = ReopenStatement::by_region(region).level();
        check_round(recap.reopening.as_ref(), digest, key_id, || {
            self.check_k(level, registered, statement.k)
        })
    }

    /// Records a checked reopen confirmation; at the statement's `k`-th
    /// key, voids the final sign-off of the region and of every region
    /// above it.
    pub fn apply_reopen(
        &mut self,
        statement: &ReopenStatement,
        digest: [u8; 32],
        confirmation: Confirmation,
    ) -> Applied {
        let recap = self
            .regions
            .entry((statement.contest, statement.region))
            .or_default();
        if let Err(pending) = confirm(&mut recap.reopening, digest, confirmation, statement.k) {
            return pending;
        }
        recap.reopening = None;
        let mut at = Some(statement.region);
        while let Some(region) = at {
            if let Some(recap) = self.regions.get_mut(&(statement.contest, region))
                && (recap.last_final.is_some() || region == statement.region)
            {
                recap.last_final = None;
                recap.pending = None;
                recap.reopening = None;
                recap.reopened = Some(confirmation.log_index);
            }
            at = (region != RegionCode::NASIONAL)
                .then(|| region.parent().unwrap_or(RegionCode::NASIONAL));
        }
        Applied::Final
    }

    /// A new version of a form of `tps` was accepted: it replaces any
    /// reason the TPS had no form, and its kecamatan's pending statement no
    /// longer sums what is current.
    pub fn form_changed(&mut self, contest: Contest, tps: RegionCode) {
        self.no_forms.remove(&(contest, tps));
        if let Some(kecamatan) = tps.ancestor_at(Level::Kecamatan)
            && let Some(recap) = self.regions.get_mut(&(contest, kecamatan))
        {
            recap.pending = None;
        }
    }
}

/// Checks one more confirmation of `round` (or of a first statement,
/// whose own checks `first` makes): the same statement, a key once.
fn check_round(
    round: Option<&Round>,
    digest: [u8; 32],
    key_id: u32,
    first: impl FnOnce() -> Result<(), SignoffRefusal>,
) -> Result<(), SignoffRefusal> {
    let Some(round) = round else {
        return first();
    };
    if round.digest != digest {
        return Err(SignoffRefusal::DiffersFromPending {
            pending: round.digest,
        });
    }
    match round.confirmations.iter().find(|c| c.key_id == key_id) {
        Some(c) => Err(SignoffRefusal::AlreadyConfirmed {
            key_id,
            log_index: c.log_index,
        }),
        None => Ok(()),
    }
}

/// Adds a checked confirmation to `round`: the whole round once it has
/// `k` keys (and `round` is empty again), else how far it is.
fn confirm(
    round: &mut Option<Round>,
    digest: [u8; 32],
    confirmation: Confirmation,
    k: u32,
) -> Result<Round, Applied> {
    let pending = round.get_or_insert_with(|| Round {
        digest,
        confirmations: Vec::new(),
    });
    pending.confirmations.push(confirmation);
    let (have, k) = (pending.confirmations.len(), k as usize);
    if have < k {
        return Err(Applied::Pending { have, k });
    }
    round.take().ok_or(Applied::Pending { have, k })
}

/// The first objection against the form of (`tps`, `contest`) that keeps
/// its kecamatan from being signed off: not ruled on, or upheld and not
/// corrected yet.
pub fn unsettled_objection(
    review: &Review,
    tps: RegionCode,
    contest: Contest,
) -> Option<SignoffRefusal> {
    review.of_form(tps, contest).into_iter().find_map(|o| {
        let status = match o.status() {
            Status::Open => "open",
            Status::Upheld if o.corrected_by.is_none() => "upheld and not yet corrected",
            Status::Upheld | Status::Rejected => return None,
        };
        Some(SignoffRefusal::ObjectionOpen {
            objection: o.log_index,
            tps,
            status,
        })
    })
}

/// Checks that `stated` totals are `sum`, naming the first count that
/// differs.
pub fn check_sum(stated: &Totals, sum: &Totals) -> Result<(), SignoffRefusal> {
    sum_differences(stated, sum)
        .into_iter()
        .next()
        .map_or(Ok(()), Err)
}

/// Every count in which `stated` totals are not `sum`, in the results'
/// order (the fixed counts, then the options as stated, then those only
/// summed), each a [`SignoffRefusal::TotalsNotSum`]: what an auditor
/// reports of a forged sign-off.
pub fn sum_differences(stated: &Totals, sum: &Totals) -> Vec<SignoffRefusal> {
    let fixed = FIXED
        .iter()
        .zip(stated.fixed)
        .zip(sum.fixed)
        .filter(|((_, s), t)| s != t)
        .map(|((name, s), t)| ((*name).to_owned(), s, t));
    let value = |t: &Totals, key: &str| t.options.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
    let only_summed = sum
        .options
        .iter()
        .filter(|(key, _)| value(stated, key).is_none());
    let options = stated
        .options
        .iter()
        .chain(only_summed)
        .filter_map(|(key, _)| {
            let (s, t) = (value(stated, key), value(sum, key));
            (s != t).then(|| (format!("options.{key}"), s.unwrap_or(0), t.unwrap_or(0)))
        });
    fixed
        .chain(options)
        .map(|(field, stated, sum)| SignoffRefusal::TotalsNotSum { field, stated, sum })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::signoff::Child;
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn totals(sah: u64, options: &[(&str, u64)]) -> Totals {
        Totals {
            fixed: [1000, sah + 10, sah, 10, sah + 10, 4, 4],
            options: options.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
    }

    fn kecamatan(region: &str, t: Totals) -> SignoffStatement {
        SignoffStatement {
            origin: "o".into(),
            contest: Contest::Ppwp,
            region: code(region),
            children: vec![Child {
                code: code(&format!("{region}.2001.001")),
                digest: [9; 32],
            }],
            totals: t,
            k: 2,
        }
    }

    fn confirm(s: &mut Signoffs, st: &SignoffStatement, key_id: u32, at: u64) -> Applied {
        let digest = [st.region.number() as u8; 32];
        s.check(st, digest, key_id, 5).unwrap();
        s.apply(
            st,
            digest,
            Confirmation {
                key_id,
                log_index: at,
            },
            UnixTime(at as i64),
        )
    }

    #[test]
    fn k_distinct_commissioners_make_a_sign_off_final_and_lock_below_it() {
        let mut s = Signoffs::new(Quorum::parse("kecamatan=2,kabkota=1").unwrap());
        let a = kecamatan("11.01.01", totals(300, &[("01", 100), ("02", 200)]));
        let digest = [1; 32];
        assert_eq!(
            confirm(&mut s, &a, 7, 10),
            Applied::Pending { have: 1, k: 2 }
        );
        assert_eq!(
            s.check(&a, digest, 7, 5),
            Err(SignoffRefusal::AlreadyConfirmed {
                key_id: 7,
                log_index: 10
            })
        );
        assert_eq!(
            s.check(&a, [2; 32], 8, 5),
            Err(SignoffRefusal::DiffersFromPending { pending: digest })
        );
        assert_eq!(confirm(&mut s, &a, 8, 11), Applied::Final);
        assert_eq!(s.final_of(Contest::Ppwp, a.region).unwrap().log_index, 11);
        assert_eq!(
            s.locked_by(Contest::Ppwp, code("11.01.01.2001.001")),
            Some(a.region)
        );
        assert_eq!(s.locked_by(Contest::Dpr, code("11.01.01.2001.001")), None);
        assert!(matches!(
            s.check(&a, digest, 9, 5),
            Err(SignoffRefusal::Locked { .. })
        ));

        // The kab/kota sums its final kecamatan.
        let b = kecamatan("11.01.02", totals(50, &[("01", 50)]));
        confirm(&mut s, &b, 7, 12);
        confirm(&mut s, &b, 8, 13);
        let mut up = SignoffStatement {
            region: code("11.01"),
            children: vec![
                Child {
                    code: a.region,
                    digest,
                },
                Child {
                    code: b.region,
                    digest: [2; 32],
                },
            ],
            totals: totals(350, &[("01", 150), ("02", 200)]),
            ..a.clone()
        };
        let sum = s.children_sum(&up).unwrap();
        let mut expected = up.totals.clone();
        expected.fixed = [2000, 370, 350, 20, 370, 8, 8];
        up.totals = expected;
        assert_eq!(check_sum(&up.totals, &sum), Ok(()));
        let mut wrong = up.totals.clone();
        wrong.options[1].1 = 201;
        assert_eq!(
            check_sum(&wrong, &sum),
            Err(SignoffRefusal::TotalsNotSum {
                field: "options.02".into(),
                stated: 201,
                sum: 200
            })
        );
        up.children[1].digest = [3; 32];
        assert_eq!(
            s.children_sum(&up),
            Err(SignoffRefusal::ChildChanged(b.region))
        );
        up.children[1].code = code("11.01.03");
        assert_eq!(
            s.children_sum(&up),
            Err(SignoffRefusal::ChildNotIn(code("11.01.03")))
        );
    }

    #[test]
    fn every_count_that_is_not_the_sum_is_named_in_the_results_order() {
        let sum = totals(300, &[("01", 100), ("02", 150), ("03", 50)]);
        let mut forged = totals(307, &[("01", 107), ("02", 150)]);
        forged.fixed[4] = sum.fixed[4];
        let named: Vec<String> = sum_differences(&forged, &sum)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            named,
            [
                "`totals.pengguna_total_j` is 317, but the children it names sum to 310",
                "`totals.suara_sah` is 307, but the children it names sum to 300",
                "`totals.options.01` is 107, but the children it names sum to 100",
                "`totals.options.03` is 0, but the children it names sum to 50",
            ]
        );
        assert_eq!(
            check_sum(&forged, &sum),
            Err(sum_differences(&forged, &sum).remove(0))
        );
        assert!(sum_differences(&sum, &sum).is_empty());
    }

    #[test]
    fn a_new_version_voids_its_kecamatan_s_pending_statement_and_k_is_capped() {
        let mut s = Signoffs::new(Quorum::parse("kecamatan=2").unwrap());
        let a = kecamatan("11.01.01", totals(300, &[("01", 300)]));
        confirm(&mut s, &a, 7, 10);
        assert!(s.check(&a, [2; 32], 8, 5).is_err());
        s.form_changed(Contest::Dpr, code("11.01.01.2001.001"));
        assert!(
            s.check(&a, [2; 32], 8, 5).is_err(),
            "another contest's form"
        );
        s.form_changed(Contest::Ppwp, code("11.01.01.2001.001"));
        assert_eq!(s.check(&a, [2; 32], 8, 5), Ok(()));
        assert_eq!(
            s.check(&a, [2; 32], 8, 1),
            Err(SignoffRefusal::QuorumMismatch { stated: 2, k: 1 }),
            "one commissioner registered: k is 1"
        );
        let three = SignoffStatement { k: 3, ..a.clone() };
        assert_eq!(
            s.check(&three, [2; 32], 8, 5),
            Err(SignoffRefusal::QuorumMismatch { stated: 3, k: 2 })
        );
        assert_eq!(s.k(Level::Kecamatan, 0), 1);
        assert_eq!(s.k(Level::Nasional, 9), 3);
    }

    #[test]
    fn commissioners_of_the_level_above_reopen_a_final_region_and_void_those_above() {
        let mut s = Signoffs::new(Quorum::parse("kecamatan=1,kabkota=1,provinsi=2").unwrap());
        let a = SignoffStatement {
            k: 1,
            ..kecamatan("11.01.01", totals(300, &[("01", 300)]))
        };
        assert_eq!(confirm(&mut s, &a, 7, 10), Applied::Final);
        let kab = SignoffStatement {
            region: code("11.01"),
            children: vec![Child {
                code: a.region,
                digest: [1; 32],
            }],
            ..a.clone()
        };
        assert_eq!(confirm(&mut s, &kab, 8, 11), Applied::Final);
        let reopen = ReopenStatement {
            origin: "o".into(),
            contest: Contest::Ppwp,
            region: kab.region,
            final_digest: [1; 32],
            reason: "Putusan Bawaslu".into(),
            k: 2,
        };
        let not_final = Err(SignoffRefusal::NotFinal {
            contest: Contest::Ppwp,
            region: kab.region,
        });
        let other = ReopenStatement {
            final_digest: [9; 32],
            ..reopen.clone()
        };
        assert_eq!(s.check_reopen(&other, [4; 32], 20, 5), not_final);
        let one = ReopenStatement {
            k: 1,
            ..reopen.clone()
        };
        assert_eq!(
            s.check_reopen(&one, [4; 32], 20, 5),
            Err(SignoffRefusal::QuorumMismatch { stated: 1, k: 2 }),
            "the province's quorum reopens a kab/kota"
        );
        let first = Confirmation {
            key_id: 20,
            log_index: 12,
        };
        assert_eq!(s.check_reopen(&reopen, [4; 32], 20, 5), Ok(()));
        assert_eq!(
            s.apply_reopen(&reopen, [4; 32], first),
            Applied::Pending { have: 1, k: 2 }
        );
        assert!(s.locked_by(Contest::Ppwp, a.region).is_some());
        assert!(matches!(
            s.check_reopen(&reopen, [4; 32], 20, 5),
            Err(SignoffRefusal::AlreadyConfirmed { .. })
        ));
        let second = Confirmation {
            key_id: 21,
            log_index: 13,
        };
        assert_eq!(s.apply_reopen(&reopen, [4; 32], second), Applied::Final);
        assert_eq!(s.final_of(Contest::Ppwp, kab.region), None);
        assert_eq!(
            s.region(Contest::Ppwp, kab.region).unwrap().reopened,
            Some(13)
        );
        assert!(
            s.final_of(Contest::Ppwp, a.region).is_some(),
            "what is below stays final"
        );
        assert_eq!(s.check_reopen(&reopen, [4; 32], 22, 5), not_final);
        // Signed off again, it is final again.
        assert_eq!(confirm(&mut s, &kab, 8, 14), Applied::Final);
        assert_eq!(s.region(Contest::Ppwp, kab.region).unwrap().reopened, None);
    }

    #[test]
    fn a_quorum_is_parsed_level_by_level() {
        let q = Quorum::parse("kecamatan=5, nasional=9").unwrap();
        assert_eq!(q.to_string(), "kecamatan=5,kabkota=3,provinsi=3,nasional=9");
        assert_eq!(Quorum::parse(&q.to_string()), Ok(q));
        for bad in [
            "desa=3",
            "kecamatan=0",
            "kecamatan",
            "kabkota=x",
            "provinsi=51",
        ] {
            assert!(Quorum::parse(bad).is_err(), "{bad}");
        }
    }
}
