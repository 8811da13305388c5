//! Incidents: what an officer reports, who owns it, when it is due and
//! how it moves. One set of rules for the server (which decides each
//! event) and `saksi audit` (which re-decides every event from the log),
//! so both agree on every transition, owner and deadline.
//!
//! An incident is a chain of events, each a log entry (`incident` v1,
//! docs/log-entries.md). Every event states the incident's public state
//! *after* it ([`Public`]): its owner, status and due times. The first
//! event files it; [`Public::next`] decides every later one from the
//! state before it, so the auditor can replay the chain and find any
//! event the rules forbid: a transition the lifecycle does not have, an
//! escalation before its deadline fell due, an owner that skipped a level.

pub mod book;

use std::fmt;

use crate::permission::Role;
use crate::time::UnixTime;
use crate::{Contest, Level, RegionCode};

/// What kind of difficulty. Ids are fixed (API, log, statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Logistics,
    Security,
    Disaster,
    Health,
    It,
    Violation,
    Other,
}

/// How urgent. Ordered from least to most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Where an incident is in its lifecycle:
/// open -> acknowledged -> resolved -> closed, reopened from resolved or
/// closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Open,
    Acknowledged,
    Resolved,
    Closed,
}

/// What an event does. `File` starts an incident; `Overdue` is the
/// server's alone (a deadline missed at the KPU RI, where nothing is
/// above); `Escalate` is the server's when a deadline fell due and an
/// owner's by hand (with a reason); `Publish` is a KPU owner making the
/// incident's text public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    File,
    Acknowledge,
    Assign,
    Comment,
    Escalate,
    Resolve,
    Close,
    Reopen,
    Overdue,
    Publish,
}

macro_rules! ids {
    ($t:ty { $($v:ident => $id:literal),+ $(,)? }) => {
        impl $t {
            /// Every value, in the order statistics list them.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),+];

            /// The stable id (API, log, statistics).
            pub fn id(self) -> &'static str {
                match self { $(<$t>::$v => $id),+ }
            }

            /// Parses a stable id.
            pub fn parse(id: &str) -> Option<$t> {
                Self::ALL.iter().copied().find(|v| v.id() == id)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

ids!(Category {
    Logistics => "logistics",
    Security => "security",
    Disaster => "disaster",
    Health => "health",
    It => "it",
    Violation => "violation",
    Other => "other",
});
ids!(Severity {
    Low => "low",
    Medium => "medium",
    High => "high",
    Critical => "critical",
});
ids!(Status {
    Open => "open",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
    Closed => "closed",
});
ids!(Action {
    File => "file",
    Acknowledge => "acknowledge",
    Assign => "assign",
    Comment => "comment",
    Escalate => "escalate",
    Resolve => "resolve",
    Close => "close",
    Reopen => "reopen",
    Overdue => "overdue",
    Publish => "publish",
});

pub mod notice;

/// At most this many characters in a title.
pub const TITLE_MAX_CHARS: usize = 120;
/// At most this many characters in a description, comment, reason or
/// resolution.
pub const TEXT_MAX_CHARS: usize = 4000;
/// At most this many photos per incident.
pub const PHOTOS_MAX: usize = 3;

/// The office that owns an incident: a KPU Kabupaten/Kota, a KPU Provinsi
/// or the KPU RI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Owner {
    pub level: Level,
    pub region: RegionCode,
}

impl Owner {
    /// Who owns an incident at `region` filed by someone whose own region
    /// is `filer`: a report from below the kab/kota (KPPS, PPS, PPK, a
    /// Bawaslu office there) is owned by the KPU Kabupaten/Kota above the
    /// incident; one filed at a kab/kota, provinsi or national office is
    /// owned there. `None` when `region` lies outside `filer`'s subtree.
    pub fn at_filing(filer: RegionCode, region: RegionCode) -> Option<Owner> {
        if !filer.contains(region) {
            return None;
        }
        let level = filer.level().min(Level::Kabkota);
        let region = region.ancestor_at(level)?;
        Some(Owner { level, region })
    }

    /// The office one level up (`None` at the KPU RI).
    pub fn above(self) -> Option<Owner> {
        let level = match self.level {
            Level::Kabkota => Level::Provinsi,
            Level::Provinsi => Level::Nasional,
            _ => return None,
        };
        Some(Owner {
            level,
            region: self.region.ancestor_at(level)?,
        })
    }
}

/// How long an owner has to acknowledge and to resolve, per severity, in
/// seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// `(acknowledge, resolve)` by `Severity as usize`.
    by_severity: [(i64, i64); 4],
}

impl Default for Deadlines {
    /// critical 15 min / 2 h, high 1 h / 12 h, medium 4 h / 48 h, low
    /// 24 h / 7 days.
    fn default() -> Deadlines {
        Deadlines {
            by_severity: [
                (24 * 3600, 7 * 24 * 3600),
                (4 * 3600, 48 * 3600),
                (3600, 12 * 3600),
                (15 * 60, 2 * 3600),
            ],
        }
    }
}

/// Why a `--incident-deadlines` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlinesError {
    #[error(
        "`{0}` is not `<severity>=<acknowledge>/<resolve>` (e.g. `critical=15m/2h`; units s, m, h, d)"
    )]
    Malformed(String),
    #[error("`{0}` is not a severity (low, medium, high, critical)")]
    UnknownSeverity(String),
    #[error("{0}: the time to resolve must not be shorter than the time to acknowledge")]
    ResolveBeforeAcknowledge(String),
    #[error("{0} is named twice")]
    Repeated(String),
}

impl Deadlines {
    /// The demo's: minutes, so a newcomer sees escalation happen.
    pub fn demo() -> Deadlines {
        Deadlines {
            by_severity: [(300, 1800), (180, 900), (120, 600), (60, 300)],
        }
    }

    /// Seconds to acknowledge and to resolve an incident of `severity`.
    pub fn of(&self, severity: Severity) -> (i64, i64) {
        self.by_severity[severity as usize]
    }

    /// Parses `critical=15m/2h,high=1h/12h,...`; a severity not named keeps
    /// its default.
    pub fn parse(text: &str) -> Result<Deadlines, DeadlinesError> {
        let mut deadlines = Deadlines::default();
        let mut named = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let malformed = || DeadlinesError::Malformed(part.to_string());
            let (name, times) = part.split_once('=').ok_or_else(malformed)?;
            let severity = Severity::parse(name.trim())
                .ok_or_else(|| DeadlinesError::UnknownSeverity(name.trim().to_string()))?;
            if named.contains(&severity) {
                return Err(DeadlinesError::Repeated(severity.to_string()));
            }
            named.push(severity);
            let (ack, resolve) = times.split_once('/').ok_or_else(malformed)?;
            let ack = parse_duration(ack.trim()).ok_or_else(malformed)?;
            let resolve = parse_duration(resolve.trim()).ok_or_else(malformed)?;
            if resolve < ack {
                return Err(DeadlinesError::ResolveBeforeAcknowledge(part.to_string()));
            }
            deadlines.by_severity[severity as usize] = (ack, resolve);
        }
        if named.is_empty() {
            return Err(DeadlinesError::Malformed(text.to_string()));
        }
        Ok(deadlines)
    }
}

impl fmt::Display for Deadlines {
    /// The form [`Deadlines::parse`] reads, most urgent first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, severity) in Severity::ALL.iter().rev().enumerate() {
            let (ack, resolve) = self.of(*severity);
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{severity}={}/{}", duration(ack), duration(resolve))?;
        }
        Ok(())
    }
}

/// `90s`, `15m`, `2h`, `7d`: a positive whole number and a unit.
fn parse_duration(text: &str) -> Option<i64> {
    let unit = match text.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = number.parse().ok()?;
    (n > 0).then_some(n).and_then(|n| n.checked_mul(unit))
}

/// The largest unit that divides `secs` exactly.
fn duration(secs: i64) -> String {
    for (unit, size) in [('d', 86_400), ('h', 3600), ('m', 60)] {
        if secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// Who made an event: the role and region of the account or device
/// (never the person's name), or the server itself (`None`) for an
/// escalation or an overdue mark on a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub by: Option<(Role, RegionCode)>,
}

impl Actor {
    /// The server, acting on a deadline.
    pub const SYSTEM: Actor = Actor { by: None };

    /// An officer (or device) of `role` at `region`.
    pub fn officer(role: Role, region: RegionCode) -> Actor {
        Actor {
            by: Some((role, region)),
        }
    }

    /// Whether this actor's office may act on an incident owned by
    /// `owner`: KPU staff of the owning office or of a level above.
    pub fn may_act(self, owner: Owner) -> bool {
        matches!(
            self.by,
            Some((Role::KpuKabkota | Role::KpuProv | Role::KpuRi, region)) if region.contains(owner.region)
        )
    }
}

/// An incident's public state after an event: what the log publishes
/// with the event, besides the event's own action, actor and commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Public {
    pub category: Category,
    pub severity: Severity,
    /// Where it happened: a TPS or any region.
    pub region: RegionCode,
    /// The contests it touches (may be empty), sorted, each once.
    pub contests: Vec<Contest>,
    pub owner: Owner,
    pub status: Status,
    /// When acknowledgement falls due (`None` once acknowledged, or once
    /// missed at the KPU RI).
    pub ack_due: Option<UnixTime>,
    /// When resolution falls due (`None` once resolved, or once missed at
    /// the KPU RI).
    pub resolve_due: Option<UnixTime>,
    /// A deadline was missed at the KPU RI and it is not resolved yet.
    pub overdue: bool,
    /// A KPU owner made its text public.
    pub public: bool,
}

/// Why an event may not follow the state before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    #[error("an incident cannot be {action} while {status}")]
    Transition { action: Action, status: Status },
    #[error("only the owning office ({level} {region}) or a level above may act on this incident")]
    NotOwner { level: Level, region: RegionCode },
    #[error("nothing was due yet")]
    NotDue,
    #[error("the KPU RI owns it: there is no level above")]
    NoLevelAbove,
    #[error("an incident is filed once")]
    FiledTwice,
    #[error("only the server marks an incident overdue")]
    OverdueByHand,
}

/// What an event needs beyond its action: who, when, and whether it
/// carries text (a reason, a resolution) in its private content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub actor: Actor,
    pub at: UnixTime,
}

impl Public {
    /// The state after filing at `at` by `filer` (whose own region must
    /// contain `region`): owned per [`Owner::at_filing`], open, due per
    /// `deadlines`.
    #[allow(clippy::too_many_arguments)]
    pub fn filed(
        filer: RegionCode,
        region: RegionCode,
        category: Category,
        severity: Severity,
        mut contests: Vec<Contest>,
        at: UnixTime,
        deadlines: &Deadlines,
    ) -> Option<Public> {
        let owner = Owner::at_filing(filer, region)?;
        contests.sort_by_key(|c| c.index());
        contests.dedup();
        let (ack, resolve) = deadlines.of(severity);
        Some(Public {
            category,
            severity,
            region,
            contests,
            owner,
            status: Status::Open,
            ack_due: Some(at.plus(ack)),
            resolve_due: Some(at.plus(resolve)),
            overdue: false,
            public: false,
        })
    }

    /// The earliest deadline still running, when one is.
    pub fn next_due(&self) -> Option<UnixTime> {
        match (self.ack_due, self.resolve_due) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        }
    }

    /// Whether a deadline has fallen due at `now`: the server's sweep
    /// then escalates (or, at the KPU RI, marks it overdue).
    pub fn is_due(&self, now: UnixTime) -> bool {
        self.next_due().is_some_and(|due| due <= now)
    }

    /// The action the server takes when a deadline has fallen due:
    /// escalate one level up, or mark overdue at the KPU RI.
    pub fn due_action(&self) -> Action {
        if self.owner.above().is_some() {
            Action::Escalate
        } else {
            Action::Overdue
        }
    }

    /// The state after `step`, or why the lifecycle forbids it. The same
    /// rule for the server deciding an event and the auditor replaying
    /// it; `deadlines` sets the fresh due times an escalation or a reopen
    /// starts (the auditor reads them from the log instead of re-deriving
    /// them, see [`Public::same_but_dues`]).
    pub fn next(&self, step: Step, deadlines: &Deadlines) -> Result<Public, Forbidden> {
        let Step { action, actor, at } = step;
        let status = self.status;
        let forbid = || Forbidden::Transition { action, status };
        let owner_check = || {
            if actor.may_act(self.owner) {
                Ok(())
            } else {
                Err(Forbidden::NotOwner {
                    level: self.owner.level,
                    region: self.owner.region,
                })
            }
        };
        let (ack, resolve) = deadlines.of(self.severity);
        let mut next = self.clone();
        match action {
            Action::File => return Err(Forbidden::FiledTwice),
            Action::Comment => {
                // The reporter and anyone who may read it; the server
                // checks who may read, the lifecycle allows it in every
                // state.
            }
            Action::Acknowledge => {
                owner_check()?;
                if status != Status::Open {
                    return Err(forbid());
                }
                next.status = Status::Acknowledged;
                next.ack_due = None;
            }
            Action::Assign | Action::Publish => {
                owner_check()?;
                if matches!(status, Status::Closed) {
                    return Err(forbid());
                }
            }
            Action::Resolve => {
                owner_check()?;
                if !matches!(status, Status::Open | Status::Acknowledged) {
                    return Err(forbid());
                }
                next.status = Status::Resolved;
                next.ack_due = None;
                next.resolve_due = None;
                next.overdue = false;
            }
            Action::Close => {
                owner_check()?;
                if status != Status::Resolved {
                    return Err(forbid());
                }
                next.status = Status::Closed;
            }
            Action::Reopen => {
                owner_check()?;
                if !matches!(status, Status::Resolved | Status::Closed) {
                    return Err(forbid());
                }
                next.status = Status::Open;
                next.ack_due = Some(at.plus(ack));
                next.resolve_due = Some(at.plus(resolve));
            }
            Action::Escalate => {
                if !matches!(status, Status::Open | Status::Acknowledged) {
                    return Err(forbid());
                }
                if actor == Actor::SYSTEM {
                    if !self.is_due(at) {
                        return Err(Forbidden::NotDue);
                    }
                } else {
                    owner_check()?;
                }
                next.owner = self.owner.above().ok_or(Forbidden::NoLevelAbove)?;
                if status == Status::Open {
                    next.ack_due = Some(at.plus(ack));
                }
                next.resolve_due = Some(at.plus(resolve));
            }
            Action::Overdue => {
                if actor != Actor::SYSTEM {
                    return Err(Forbidden::OverdueByHand);
                }
                if !self.is_due(at) {
                    return Err(Forbidden::NotDue);
                }
                if self.owner.above().is_some() {
                    return Err(forbid());
                }
                // The missed deadlines stop running: one mark per miss.
                next.ack_due = self.ack_due.filter(|due| *due > at);
                next.resolve_due = self.resolve_due.filter(|due| *due > at);
                next.overdue = true;
            }
        }
        if action == Action::Publish {
            next.public = true;
        }
        Ok(next)
    }

    /// Whether `other` equals `self` except for its due times: the
    /// auditor checks an event's stated state this way, since the
    /// deadlines a server was configured with are not in the log, and
    /// checks separately that an escalation or overdue mark came when due.
    pub fn same_but_dues(&self, other: &Public) -> bool {
        let strip = |p: &Public| Public {
            ack_due: None,
            resolve_due: None,
            ..p.clone()
        };
        strip(self) == strip(other)
            && self.ack_due.is_some() == other.ack_due.is_some()
            && self.resolve_due.is_some() == other.resolve_due.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    const TPS: &str = "11.01.01.2001.001";

    fn filed(severity: Severity) -> Public {
        Public::filed(
            code(TPS),
            code(TPS),
            Category::Logistics,
            severity,
            vec![Contest::Dpr, Contest::Ppwp, Contest::Dpr],
            UnixTime(1000),
            &Deadlines::default(),
        )
        .unwrap()
    }

    fn step(action: Action, actor: Actor, at: i64) -> Step {
        Step {
            action,
            actor,
            at: UnixTime(at),
        }
    }

    #[test]
    fn a_kpps_report_is_owned_by_its_kabkota_and_due_per_severity() {
        let p = filed(Severity::Critical);
        assert_eq!(p.owner.level, Level::Kabkota);
        assert_eq!(p.owner.region, code("11.01"));
        assert_eq!(p.ack_due, Some(UnixTime(1000 + 15 * 60)));
        assert_eq!(p.resolve_due, Some(UnixTime(1000 + 2 * 3600)));
        assert_eq!(p.contests, vec![Contest::Ppwp, Contest::Dpr]);
        // A provincial office's report is owned by the province; nothing
        // outside the filer's subtree is filed.
        assert_eq!(
            Owner::at_filing(code("11"), code(TPS)).unwrap().level,
            Level::Provinsi
        );
        assert_eq!(Owner::at_filing(code("12"), code(TPS)), None);
    }

    #[test]
    fn unacknowledged_it_climbs_one_level_at_a_time_then_is_marked_overdue() {
        let d = Deadlines::default();
        let p = filed(Severity::Critical);
        let early = p.next(step(Action::Escalate, Actor::SYSTEM, 1000 + 899), &d);
        assert_eq!(early, Err(Forbidden::NotDue));
        let p = p
            .next(step(Action::Escalate, Actor::SYSTEM, 1900), &d)
            .unwrap();
        assert_eq!(
            (p.owner.level, p.owner.region),
            (Level::Provinsi, code("11"))
        );
        assert_eq!(p.ack_due, Some(UnixTime(1900 + 900)));
        let p = p
            .next(step(Action::Escalate, Actor::SYSTEM, 2800), &d)
            .unwrap();
        assert_eq!(p.owner.level, Level::Nasional);
        assert_eq!(p.due_action(), Action::Overdue);
        assert_eq!(
            p.next(step(Action::Escalate, Actor::SYSTEM, 3700), &d),
            Err(Forbidden::NoLevelAbove)
        );
        let p = p
            .next(step(Action::Overdue, Actor::SYSTEM, 3700), &d)
            .unwrap();
        assert!(p.overdue);
        assert_eq!(p.ack_due, None);
        assert_eq!(p.owner.level, Level::Nasional);
    }

    #[test]
    fn only_the_owning_office_or_above_acts_and_the_lifecycle_holds() {
        let d = Deadlines::default();
        let p = filed(Severity::High);
        let kpps = Actor::officer(Role::Kpps, code(TPS));
        let other = Actor::officer(Role::KpuKabkota, code("11.02"));
        let owner = Actor::officer(Role::KpuKabkota, code("11.01"));
        let prov = Actor::officer(Role::KpuProv, code("11"));
        assert!(matches!(
            p.next(step(Action::Acknowledge, kpps, 1001), &d),
            Err(Forbidden::NotOwner { .. })
        ));
        assert!(matches!(
            p.next(step(Action::Acknowledge, other, 1001), &d),
            Err(Forbidden::NotOwner { .. })
        ));
        assert!(p.next(step(Action::Comment, kpps, 1001), &d).is_ok());
        assert_eq!(
            p.next(step(Action::Close, owner, 1001), &d),
            Err(Forbidden::Transition {
                action: Action::Close,
                status: Status::Open
            })
        );
        let p = p.next(step(Action::Acknowledge, prov, 1002), &d).unwrap();
        assert_eq!((p.status, p.ack_due), (Status::Acknowledged, None));
        let p = p.next(step(Action::Resolve, owner, 1003), &d).unwrap();
        assert_eq!((p.status, p.resolve_due), (Status::Resolved, None));
        assert!(!p.is_due(UnixTime(i64::MAX)));
        let p = p.next(step(Action::Close, owner, 1004), &d).unwrap();
        let p = p.next(step(Action::Reopen, owner, 1005), &d).unwrap();
        assert_eq!(p.status, Status::Open);
        assert_eq!(p.ack_due, Some(UnixTime(1005 + 3600)));
    }

    #[test]
    fn deadlines_parse_override_and_print_back() {
        let d = Deadlines::parse("critical=1m/5m, low=2d/7d").unwrap();
        assert_eq!(d.of(Severity::Critical), (60, 300));
        assert_eq!(d.of(Severity::High), (3600, 12 * 3600));
        assert_eq!(d.of(Severity::Low), (2 * 86_400, 7 * 86_400));
        assert_eq!(Deadlines::parse(&d.to_string()), Ok(d));
        assert_eq!(
            Deadlines::default().to_string(),
            "critical=15m/2h,high=1h/12h,medium=4h/2d,low=1d/7d"
        );
        for bad in [
            "",
            "critical",
            "critical=15m",
            "critical=15x/2h",
            "critical=0m/2h",
            "critical=-1m/2h",
            "urgent=1m/2m",
            "critical=2h/1h",
            "low=1m/2m,low=1m/2m",
        ] {
            assert!(Deadlines::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn ids_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.id()), Some(*c));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.id()), Some(*s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.id()), Some(*a));
        }
        assert_eq!(Status::parse("closed"), Some(Status::Closed));
        assert_eq!(Category::parse("Logistics"), None);
    }
}
