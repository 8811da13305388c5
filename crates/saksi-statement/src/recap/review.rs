//! The review's state and rules: which objections stand against which form
//! versions, how each was ruled, and which correction answered it. The
//! server's sequencer and `saksi audit` hold one [`Review`] each and feed it
//! the log's objections, rulings and corrections in log order; both refuse
//! exactly what it refuses. Who signed a ruling or a correction is the key
//! chain's question ([`crate::Registry`]), asked by the caller.

use std::collections::HashMap;

use saksi_core::{Contest, RegionCode};

use super::objection::{Objection, Objector};
use super::ruling::{Decision, RulingStatement};
use crate::form::Correction;

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Upheld,
    Rejected,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Upheld => "upheld",
            Status::Rejected => "rejected",
        }
    }
}

/// One logged objection and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionState {
    pub log_index: u64,
    pub objection: Objection,
    /// The ruling's decision and log index.
    pub ruling: Option<(Decision, u64)>,
    /// The log index of the correction that answered it (upheld only).
    pub corrected_by: Option<u64>,
}

impl ObjectionState {
    pub fn status(&self) -> Status {
        match self.ruling {
            None => Status::Open,
            Some((Decision::Upheld, _)) => Status::Upheld,
            Some((Decision::Rejected, _)) => Status::Rejected,
        }
    }
}

/// Why the review refuses a fact. Each maps to one stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("{0}")]
    Malformed(String),
    #[error("only a party's or a PPWP pair's witness (saksi) or Bawaslu may object")]
    NotAnObjector,
    #[error("{region} is not a region containing TPS {tps}")]
    OutsideRegion { region: RegionCode, tps: RegionCode },
    #[error("a PPWP pair's witness objects to the PPWP form only")]
    PaslonOutsidePpwp,
    #[error("TPS {tps} has no {contest} form yet")]
    NoForm { tps: RegionCode, contest: Contest },
    #[error(
        "version {stated} is not the current version ({current}): object to the numbers as they stand"
    )]
    NotCurrent { stated: u32, current: u32 },
    #[error("no objection was logged at index {0}")]
    NoSuchObjection(u64),
    #[error("the objection was already ruled on (log index {0})")]
    AlreadyRuled(u64),
    #[error("objection {objection} is against another form ({tps} {contest})")]
    OtherForm {
        objection: u64,
        tps: RegionCode,
        contest: Contest,
    },
    #[error("objection {0} was not upheld: a correction answers an upheld objection only")]
    NotUpheld(u64),
    #[error("objection {objection} was already answered by the correction at log index {by}")]
    AlreadyCorrected { objection: u64, by: u64 },
}

/// The objections of a log, by the log index of their entries.
#[derive(Debug, Clone, Default)]
pub struct Review {
    objections: HashMap<u64, ObjectionState>,
    by_form: HashMap<(RegionCode, Contest), Vec<u64>>,
}

impl Review {
    /// Checks an objection against the form it disputes: `current` is the
    /// current version of (`tps`, `contest`) as the log stands before the
    /// objection. The fields it names are boxes of that contest's C.Hasil
    /// ([`Objection::check`]).
    pub fn check_objection(
        &self,
        objection: &Objection,
        current: Option<u32>,
    ) -> Result<(), ReviewRefusal> {
        objection.check().map_err(ReviewRefusal::Malformed)?;
        let region = objection.by.region();
        if !region.contains(objection.tps) {
            return Err(ReviewRefusal::OutsideRegion {
                region,
                tps: objection.tps,
            });
        }
        if matches!(objection.by, Objector::Paslon { .. }) && objection.contest != Contest::Ppwp {
            return Err(ReviewRefusal::PaslonOutsidePpwp);
        }
        let Some(version) = current else {
            return Err(ReviewRefusal::NoForm {
                tps: objection.tps,
                contest: objection.contest,
            });
        };
        if objection.version != version {
            return Err(ReviewRefusal::NotCurrent {
                stated: objection.version,
                current: version,
            });
        }
        Ok(())
    }

    /// Records a checked objection logged at `log_index`.
    pub fn apply_objection(&mut self, objection: Objection, log_index: u64) {
        self.by_form
            .entry((objection.tps, objection.contest))
            .or_default()
            .push(log_index);
        self.objections.insert(
            log_index,
            ObjectionState {
                log_index,
                objection,
                ruling: None,
                corrected_by: None,
            },
        );
    }

    /// The objection a ruling rules on, if it may be ruled on: it exists
    /// and has no ruling yet. The caller checks the signer against the
    /// objection's TPS.
    pub fn check_ruling(&self, ruling: &RulingStatement) -> Result<&ObjectionState, ReviewRefusal> {
        let state = self
            .objections
            .get(&ruling.objection)
            .ok_or(ReviewRefusal::NoSuchObjection(ruling.objection))?;
        match state.ruling {
            Some((_, at)) => Err(ReviewRefusal::AlreadyRuled(at)),
            None => Ok(state),
        }
    }

    /// Records a checked ruling logged at `log_index`.
    pub fn apply_ruling(&mut self, ruling: &RulingStatement, log_index: u64) {
        if let Some(state) = self.objections.get_mut(&ruling.objection) {
            state.ruling = Some((ruling.decision, log_index));
        }
    }

    /// Checks that a correction of (`tps`, `contest`) answers an upheld
    /// objection against that form which no correction answered yet.
    pub fn check_correction(
        &self,
        correction: &Correction,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<(), ReviewRefusal> {
        let index = correction.objection;
        let state = self
            .objections
            .get(&index)
            .ok_or(ReviewRefusal::NoSuchObjection(index))?;
        let o = &state.objection;
        if (o.tps, o.contest) != (tps, contest) {
            return Err(ReviewRefusal::OtherForm {
                objection: index,
                tps: o.tps,
                contest: o.contest,
            });
        }
        if state.status() != Status::Upheld {
            return Err(ReviewRefusal::NotUpheld(index));
        }
        match state.corrected_by {
            Some(by) => Err(ReviewRefusal::AlreadyCorrected {
                objection: index,
                by,
            }),
            None => Ok(()),
        }
    }

    /// Records a checked correction logged at `log_index`.
    pub fn apply_correction(&mut self, correction: &Correction, log_index: u64) {
        if let Some(state) = self.objections.get_mut(&correction.objection) {
            state.corrected_by = Some(log_index);
        }
    }

    /// An objection by the log index of its entry.
    pub fn objection(&self, log_index: u64) -> Option<&ObjectionState> {
        self.objections.get(&log_index)
    }

    /// The objections against a form, in log order.
    pub fn of_form(&self, tps: RegionCode, contest: Contest) -> Vec<&ObjectionState> {
        self.by_form
            .get(&(tps, contest))
            .into_iter()
            .flatten()
            .filter_map(|i| self.objections.get(i))
            .collect()
    }

    /// The objections of `contest` against the TPS in `region`, in log
    /// order: what a region's D.Hasil lists as decided below it.
    pub fn within(&self, region: RegionCode, contest: Contest) -> Vec<&ObjectionState> {
        let mut out: Vec<&ObjectionState> = self
            .by_form
            .iter()
            .filter(|((tps, c), _)| *c == contest && region.contains(*tps))
            .flat_map(|(_, indexes)| indexes)
            .filter_map(|i| self.objections.get(i))
            .collect();
        out.sort_by_key(|o| o.log_index);
        out
    }
}

#[cfg(test)]
mod tests {
    use saksi_core::form::CHasil;
    use saksi_core::time::UnixTime;

    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn objection(by: Objector, fields: &[&str]) -> Objection {
        Objection {
            tps: code("11.01.01.2001.001"),
            contest: Contest::Ppwp,
            version: 2,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            text: "suara paslon 01 tertulis 121, di plano 112".into(),
            by,
        }
    }

    fn ruling(objection: u64, decision: Decision) -> RulingStatement {
        RulingStatement {
            origin: "o".into(),
            objection,
            decision,
            reason: "dicocokkan dengan plano".into(),
            signed_at: UnixTime(1_707_915_600),
        }
    }

    fn correction(objection: u64) -> Correction {
        Correction {
            objection,
            reason: "dihitung ulang".into(),
        }
    }

    #[test]
    fn an_objection_disputes_boxes_of_the_current_version_within_the_objector_s_region() {
        let review = Review::default();
        let current = Some(2);
        let witness = Objector::Paslon {
            region: code("11.01.01"),
            paslon: 1,
        };
        let ok = objection(witness, &["options.01", "suara_sah"]);
        assert_eq!(review.check_objection(&ok, current), Ok(()));
        let bawaslu = Objector::Bawaslu { region: code("11") };
        assert_eq!(
            review.check_objection(&objection(bawaslu, &["suara_sah"]), current),
            Ok(())
        );
        let far = Objector::Party {
            region: code("11.02"),
            party: 5,
        };
        assert!(matches!(
            review.check_objection(&objection(far, &["suara_sah"]), current),
            Err(ReviewRefusal::OutsideRegion { .. })
        ));
        assert_eq!(
            review.check_objection(&ok, Some(3)),
            Err(ReviewRefusal::NotCurrent {
                stated: 2,
                current: 3
            })
        );
        assert!(matches!(
            review.check_objection(&ok, None),
            Err(ReviewRefusal::NoForm { .. })
        ));
        for field in ["options.1", "options.01.party", "suara", "options.00"] {
            assert!(
                matches!(
                    review.check_objection(&objection(witness, &[field]), current),
                    Err(ReviewRefusal::Malformed(_))
                ),
                "{field}"
            );
        }
        assert!(matches!(
            review.check_objection(&objection(witness, &["suara_sah", "suara_sah"]), current),
            Err(ReviewRefusal::Malformed(_))
        ));
        let dpr = Objection {
            contest: Contest::Dpr,
            ..objection(witness, &["suara_sah"])
        };
        assert_eq!(
            review.check_objection(&dpr, current),
            Err(ReviewRefusal::PaslonOutsidePpwp)
        );
    }

    #[test]
    fn a_ruling_once_and_a_correction_once_per_upheld_objection_of_that_form() {
        let mut review = Review::default();
        let witness = Objector::Party {
            region: code("11.01.01"),
            party: 1,
        };
        let o = objection(witness, &["suara_sah"]);
        let (tps, contest) = (o.tps, o.contest);
        review.apply_objection(o.clone(), 10);
        review.apply_objection(o, 11);
        assert_eq!(
            review.check_correction(&correction(10), tps, contest),
            Err(ReviewRefusal::NotUpheld(10))
        );
        assert_eq!(
            review
                .check_ruling(&ruling(12, Decision::Upheld))
                .unwrap_err(),
            ReviewRefusal::NoSuchObjection(12)
        );
        review.apply_ruling(&ruling(10, Decision::Upheld), 12);
        review.apply_ruling(&ruling(11, Decision::Rejected), 13);
        assert_eq!(
            review
                .check_ruling(&ruling(10, Decision::Rejected))
                .unwrap_err(),
            ReviewRefusal::AlreadyRuled(12)
        );
        assert_eq!(
            review.check_correction(&correction(10), tps, contest),
            Ok(())
        );
        assert_eq!(
            review.check_correction(&correction(11), tps, contest),
            Err(ReviewRefusal::NotUpheld(11))
        );
        assert!(matches!(
            review.check_correction(&correction(10), code("11.01.01.2001.002"), contest),
            Err(ReviewRefusal::OtherForm { .. })
        ));
        review.apply_correction(&correction(10), 14);
        assert_eq!(
            review.check_correction(&correction(10), tps, contest),
            Err(ReviewRefusal::AlreadyCorrected {
                objection: 10,
                by: 14
            })
        );
        let statuses: Vec<_> = review
            .of_form(tps, contest)
            .iter()
            .map(|s| s.status())
            .collect();
        assert_eq!(statuses, [Status::Upheld, Status::Rejected]);
    }

    #[test]
    fn a_region_lists_the_objections_of_its_tps_for_one_contest_in_log_order() {
        let mut review = Review::default();
        let witness = Objector::Bawaslu { region: code("11") };
        let at = |tps: &str, contest| Objection {
            tps: code(tps),
            contest,
            ..objection(witness, &["suara_sah"])
        };
        review.apply_objection(at("11.01.02.2001.001", Contest::Ppwp), 30);
        review.apply_objection(at("11.01.01.2001.001", Contest::Ppwp), 20);
        review.apply_objection(at("11.01.01.2001.001", Contest::Dpr), 25);
        review.apply_objection(at("11.02.01.2001.001", Contest::Ppwp), 10);
        let indexes = |region: &str| -> Vec<u64> {
            review
                .within(code(region), Contest::Ppwp)
                .iter()
                .map(|o| o.log_index)
                .collect()
        };
        assert_eq!(indexes("11.01"), [20, 30]);
        assert_eq!(indexes("11.01.01"), [20]);
        assert_eq!(indexes("0"), [10, 20, 30]);
        assert!(indexes("12").is_empty());
    }

    #[test]
    fn every_box_a_form_carries_is_a_box_an_objection_may_name() {
        let form = CHasil::example_ppwp();
        for (name, _) in form.named_boxes() {
            assert!(CHasil::is_box_name(Contest::Ppwp, &name), "{name}");
            assert!(!CHasil::is_box_name(Contest::Dpr, &name) || !name.starts_with("options"));
        }
        for (contest, name, ok) in [
            (Contest::Dpr, "options.7.party", true),
            (Contest::Dpr, "options.7.candidates.3", true),
            (Contest::DprdKabkota, "options.07.party", false),
            (Contest::Dpr, "options.7", false),
            (Contest::Dpd, "options.12", true),
            (Contest::Dpd, "options.12.party", false),
            (Contest::Ppwp, "options.3", false),
            (Contest::Ppwp, "pengguna_total_j", true),
        ] {
            assert_eq!(CHasil::is_box_name(contest, name), ok, "{contest:?} {name}");
        }
    }
}
