//! Every incident's public state in memory, kept up to date event by
//! event: the server reads it for the escalation sweep (what fell due, in
//! due order), the lists and the public statistics, and `saksi audit`
//! builds the same book from the log to check the statistics the server
//! publishes. Nothing private is here: only what the log publishes.

use std::collections::{BTreeSet, HashMap};

use super::{Action, Category, Public, Severity, Status};
use crate::time::UnixTime;
use crate::{Level, RegionCode, RegionTree};

/// An incident's id, as raw bytes (saksi-statement prints it as hex).
pub type Id = [u8; 16];

/// One incident as the book knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The state after its latest event.
    pub public: Public,
    /// The latest event's number (0: only filed).
    pub seq: u32,
    pub filed_at: UnixTime,
    /// When it was first acknowledged, and first resolved: the response
    /// times the public statistics report.
    pub acked_at: Option<UnixTime>,
    pub resolved_at: Option<UnixTime>,
}

impl Record {
    /// The record after event `seq` (not the filing) left the incident in
    /// `state` at `at`: the first acknowledgement and resolution are kept
    /// as the response times. The server writes the same record to its
    /// database as the book holds.
    pub fn after(&self, seq: u32, action: Action, at: UnixTime, state: Public) -> Record {
        let first =
            |kept: Option<UnixTime>, done: Action| kept.or_else(|| (action == done).then_some(at));
        Record {
            seq,
            acked_at: first(self.acked_at, Action::Acknowledge),
            resolved_at: first(self.resolved_at, Action::Resolve),
            filed_at: self.filed_at,
            public: state,
        }
    }

    /// Unresolved and past a deadline (marked at the KPU RI, or not yet
    /// swept).
    pub fn is_overdue(&self, now: UnixTime) -> bool {
        matches!(self.public.status, Status::Open | Status::Acknowledged)
            && (self.public.overdue || self.public.is_due(now))
    }
}

/// The book: records by id and the running deadlines in due order.
#[derive(Debug, Default, Clone)]
pub struct Book {
    records: HashMap<Id, Record>,
    due: BTreeSet<(UnixTime, Id)>,
    /// Where each was filed: a TPS page finds its own without walking
    /// every incident.
    at: BTreeSet<(RegionCode, Id)>,
}

/// Why an event could not be entered in the book.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("the incident was filed before")]
    FiledTwice,
    #[error("no such incident")]
    Unknown,
    #[error("event {got} does not follow event {last}")]
    OutOfOrder { last: u32, got: u32 },
}

impl Book {
    pub fn new() -> Book {
        Book::default()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn get(&self, id: &Id) -> Option<&Record> {
        self.records.get(id)
    }

    /// Enters event `seq` of incident `id`, decided elsewhere (by the
    /// sequencer, or read from the log), which left the incident in
    /// `state` at `at`.
    pub fn apply(
        &mut self,
        id: Id,
        seq: u32,
        action: Action,
        at: UnixTime,
        state: Public,
    ) -> Result<(), BookError> {
        if action == Action::File {
            if self.records.contains_key(&id) {
                return Err(BookError::FiledTwice);
            }
            if seq != 0 {
                return Err(BookError::OutOfOrder { last: 0, got: seq });
            }
            self.schedule(id, None, state.next_due());
            self.at.insert((state.region, id));
            self.records.insert(
                id,
                Record {
                    public: state,
                    seq,
                    filed_at: at,
                    acked_at: None,
                    resolved_at: None,
                },
            );
            return Ok(());
        }
        let record = self.records.get_mut(&id).ok_or(BookError::Unknown)?;
        if seq != record.seq + 1 {
            return Err(BookError::OutOfOrder {
                last: record.seq,
                got: seq,
            });
        }
        let before = record.public.next_due();
        let after = state.next_due();
        *record = record.after(seq, action, at, state);
        self.schedule(id, before, after);
        Ok(())
    }

    /// Enters a record as stored after its latest event (the server's
    /// book at start-up, read from its database rather than replayed from
    /// the log).
    pub fn restore(&mut self, id: Id, record: Record) -> Result<(), BookError> {
        if self.records.contains_key(&id) {
            return Err(BookError::FiledTwice);
        }
        self.schedule(id, None, record.public.next_due());
        self.at.insert((record.public.region, id));
        self.records.insert(id, record);
        Ok(())
    }

    /// Enters `record` as incident `id`'s latest, whatever stood before:
    /// for a replay that carries on from what each event states, even an
    /// event it found wrong (`saksi audit`), so one forgery is one finding.
    pub fn set(&mut self, id: Id, record: Record) {
        let before = self
            .records
            .get(&id)
            .map(|r| (r.public.region, r.public.next_due()));
        if let Some((region, _)) = before {
            self.at.remove(&(region, id));
        }
        self.at.insert((record.public.region, id));
        self.schedule(
            id,
            before.and_then(|(_, due)| due),
            record.public.next_due(),
        );
        self.records.insert(id, record);
    }

    /// Every incident, in no particular order.
    pub fn records(&self) -> impl Iterator<Item = (&Id, &Record)> + '_ {
        self.records.iter()
    }

    fn schedule(&mut self, id: Id, before: Option<UnixTime>, after: Option<UnixTime>) {
        if let Some(due) = before {
            self.due.remove(&(due, id));
        }
        if let Some(due) = after {
            self.due.insert((due, id));
        }
    }

    /// The incidents whose deadline has fallen due at `now`, earliest
    /// first: what the sweep escalates (or marks overdue).
    pub fn fallen_due(&self, now: UnixTime) -> impl Iterator<Item = (&Id, &Record)> + '_ {
        self.due
            .iter()
            .take_while(move |(due, _)| *due <= now)
            .filter_map(|(_, id)| self.records.get_key_value(id))
    }

    /// The incidents whose running deadline falls after `now` and at or
    /// before `until`, earliest first, with that deadline: what is about
    /// to fall due (the `due_soon` notices).
    pub fn falling_due(
        &self,
        now: UnixTime,
        until: UnixTime,
    ) -> impl Iterator<Item = (UnixTime, &Id, &Record)> + '_ {
        // A range whose start lies past its end would panic.
        let after = UnixTime(now.0.saturating_add(1));
        (until >= after)
            .then(|| self.due.range((after, [0; 16])..=(until, [u8::MAX; 16])))
            .into_iter()
            .flatten()
            .filter_map(|(due, id)| self.records.get_key_value(id).map(|(id, r)| (*due, id, r)))
    }

    /// The earliest running deadline, if any.
    pub fn next_due(&self) -> Option<UnixTime> {
        self.due.first().map(|(due, _)| *due)
    }

    /// Every incident matching `filter`: overdue first, then by the
    /// earliest running deadline, then the newest filed.
    pub fn list(&self, filter: &Filter, now: UnixTime) -> Vec<(&Id, &Record)> {
        let mut found: Vec<_> = self
            .records
            .iter()
            .filter(|(_, r)| filter.matches(r, now))
            .collect();
        found.sort_by_key(|(id, r)| {
            (
                !r.is_overdue(now),
                r.public.next_due().unwrap_or(UnixTime(i64::MAX)),
                std::cmp::Reverse(r.filed_at),
                **id,
            )
        });
        found
    }

    /// The open or acknowledged incidents filed at `region` itself (not
    /// below it): what a TPS's reviewers still wait on.
    pub fn unresolved_at(&self, region: RegionCode) -> impl Iterator<Item = (&Id, &Record)> + '_ {
        self.at
            .range((region, [0; 16])..=(region, [u8::MAX; 16]))
            .filter_map(|(_, id)| self.records.get_key_value(id))
            .filter(|(_, r)| matches!(r.public.status, Status::Open | Status::Acknowledged))
    }

    /// The open or acknowledged incidents filed at `region` of at least
    /// `severity` that name a contest: what flags a TPS page.
    pub fn flagging(
        &self,
        region: RegionCode,
        severity: Severity,
    ) -> impl Iterator<Item = (&Id, &Record)> + '_ {
        self.unresolved_at(region)
            .filter(move |(_, r)| r.public.severity >= severity && !r.public.contests.is_empty())
    }

    /// The public statistics of `region`'s subtree at `now`, with one
    /// line per child region in the tree's order. `None` when the tree
    /// has no such region.
    pub fn stats(&self, tree: &RegionTree, region: RegionCode, now: UnixTime) -> Option<Stats> {
        let id = tree.find(region)?;
        let children: Vec<RegionCode> = tree.children(id).map(|c| tree.get(c).code).collect();
        Some(self.gather(region, &children, now))
    }

    /// The same without the children's lines, for one who holds no region
    /// tree (`saksi audit`, comparing what the server publishes).
    pub fn totals(&self, region: RegionCode, now: UnixTime) -> Stats {
        self.gather(region, &[], now)
    }

    fn gather(&self, region: RegionCode, children: &[RegionCode], now: UnixTime) -> Stats {
        let child_level = region.level().child();
        let mut stats = Stats {
            counts: Counts::default(),
            ack_seconds: Vec::new(),
            resolve_seconds: Vec::new(),
            children: children.iter().map(|c| (*c, Counts::default())).collect(),
        };
        let slot: HashMap<RegionCode, usize> =
            children.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        for record in self.records.values() {
            if !region.contains(record.public.region) {
                continue;
            }
            stats.counts.add(record, now);
            if let Some(at) = record.acked_at {
                stats.ack_seconds.push(at.0 - record.filed_at.0);
            }
            if let Some(at) = record.resolved_at {
                stats.resolve_seconds.push(at.0 - record.filed_at.0);
            }
            let child = child_level
                .and_then(|level| record.public.region.ancestor_at(level))
                .and_then(|code| slot.get(&code));
            if let Some(i) = child {
                stats.children[*i].1.add(record, now);
            }
        }
        stats.ack_seconds.sort_unstable();
        stats.resolve_seconds.sort_unstable();
        stats
    }
}

/// Counts of incidents by category, severity and status, indexed as
/// each enum's `ALL`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub category: [u64; 7],
    pub severity: [u64; 4],
    pub status: [u64; 4],
    pub overdue: u64,
}

impl Counts {
    fn add(&mut self, record: &Record, now: UnixTime) {
        let p = &record.public;
        self.total += 1;
        self.category[index(Category::ALL, p.category)] += 1;
        self.severity[index(Severity::ALL, p.severity)] += 1;
        self.status[index(Status::ALL, p.status)] += 1;
        self.overdue += u64::from(record.is_overdue(now));
    }
}

fn index<T: PartialEq>(all: &[T], value: T) -> usize {
    all.iter()
        .position(|v| *v == value)
        .expect("ALL lists every value")
}

/// A region's statistics: its counts, the response times behind its
/// percentiles (seconds, sorted) and its children's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub counts: Counts,
    pub ack_seconds: Vec<i64>,
    pub resolve_seconds: Vec<i64>,
    pub children: Vec<(RegionCode, Counts)>,
}

/// The nearest-rank percentile `p` (0-100) of sorted `values`; `None`
/// with no data.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    Some(sorted[rank as usize - 1])
}

/// What a list asks for; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Incidents at or below this region.
    pub region: Option<RegionCode>,
    pub status: Option<Status>,
    pub severity: Option<Severity>,
    pub category: Option<Category>,
    pub owner_level: Option<Level>,
    /// Owned by an office inside this region (a KPU office's queue).
    pub owner_within: Option<RegionCode>,
    pub overdue: Option<bool>,
}

impl Filter {
    fn matches(&self, record: &Record, now: UnixTime) -> bool {
        let p = &record.public;
        self.region.is_none_or(|r| r.contains(p.region))
            && self.status.is_none_or(|s| s == p.status)
            && self.severity.is_none_or(|s| s == p.severity)
            && self.category.is_none_or(|c| c == p.category)
            && self.owner_level.is_none_or(|l| l == p.owner.level)
            && self.owner_within.is_none_or(|r| r.contains(p.owner.region))
            && self.overdue.is_none_or(|o| o == record.is_overdue(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{Actor, Deadlines, Step};
    use crate::permission::Role;
    use crate::{Contest, Dpt, RegionInput};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn tree() -> RegionTree {
        let regions = [
            ("11", "ACEH"),
            ("11.01", "KAB. A"),
            ("11.02", "KAB. B"),
            ("11.01.01", "KEC"),
            ("11.01.01.2001", "DESA"),
            ("11.01.01.2001.001", "TPS 001"),
            ("11.02.01", "KEC B"),
            ("11.02.01.2001", "DESA B"),
            ("11.02.01.2001.001", "TPS B"),
        ];
        let inputs = regions
            .iter()
            .map(|(c, n)| RegionInput {
                code: code(c),
                name: n.to_string(),
                dpt: if c.len() == 17 {
                    Dpt { l: 100, p: 100 }
                } else {
                    Dpt::default()
                },
            })
            .collect();
        RegionTree::build("INDONESIA", inputs).unwrap()
    }

    fn file(book: &mut Book, n: u8, tps: &str, severity: Severity, at: i64) -> Id {
        let state = Public::filed(
            code(tps),
            code(tps),
            Category::Logistics,
            severity,
            vec![Contest::Ppwp],
            UnixTime(at),
            &Deadlines::default(),
        )
        .unwrap();
        let id = [n; 16];
        book.apply(id, 0, Action::File, UnixTime(at), state)
            .unwrap();
        id
    }

    fn act(book: &mut Book, id: Id, action: Action, actor: Actor, at: i64) {
        let record = book.get(&id).unwrap().clone();
        let step = Step {
            action,
            actor,
            at: UnixTime(at),
        };
        let next = record.public.next(step, &Deadlines::default()).unwrap();
        book.apply(id, record.seq + 1, action, UnixTime(at), next)
            .unwrap();
    }

    #[test]
    fn what_fell_due_comes_out_earliest_first_and_leaves_once_handled() {
        let mut book = Book::new();
        let low = file(&mut book, 1, "11.01.01.2001.001", Severity::Low, 0);
        let critical = file(&mut book, 2, "11.01.01.2001.001", Severity::Critical, 100);
        assert_eq!(book.next_due(), Some(UnixTime(100 + 900)));
        let due: Vec<_> = book
            .fallen_due(UnixTime(86_400))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(due, vec![critical, low]);
        let owner = Actor::officer(Role::KpuKabkota, code("11.01"));
        act(&mut book, critical, Action::Acknowledge, owner, 200);
        act(&mut book, critical, Action::Resolve, owner, 300);
        let due: Vec<_> = book
            .fallen_due(UnixTime(86_400))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(due, vec![low]);
        assert_eq!(
            book.apply(
                low,
                5,
                Action::Comment,
                UnixTime(1),
                book.get(&low).unwrap().public.clone()
            ),
            Err(BookError::OutOfOrder { last: 0, got: 5 })
        );
    }

    #[test]
    fn what_falls_due_soon_is_the_next_deadline_of_each_not_yet_fallen_due() {
        let mut book = Book::new();
        // Critical: acknowledge by 100 + 900; low: by 24 h.
        let critical = file(&mut book, 1, "11.01.01.2001.001", Severity::Critical, 100);
        let low = file(&mut book, 2, "11.01.01.2001.001", Severity::Low, 0);
        let soon = |book: &Book, now: i64| -> Vec<(i64, Id)> {
            book.falling_due(UnixTime(now), UnixTime(now + 900))
                .map(|(due, id, _)| (due.0, *id))
                .collect()
        };
        assert_eq!(soon(&book, 0), vec![]);
        assert_eq!(book.falling_due(UnixTime(100), UnixTime(100)).count(), 0);
        assert_eq!(book.falling_due(UnixTime(100), UnixTime(50)).count(), 0);
        assert_eq!(soon(&book, 100), vec![(1000, critical)]);
        // Once it has fallen due it is the sweep's, not a warning.
        assert_eq!(soon(&book, 1000), vec![]);
        // Acknowledged: its next deadline is the resolution's (2 h).
        let owner = Actor::officer(Role::KpuKabkota, code("11.01"));
        act(&mut book, critical, Action::Acknowledge, owner, 200);
        assert_eq!(soon(&book, 100 + 7200 - 900), vec![(7300, critical)]);
        assert_eq!(soon(&book, 86_400 - 60), vec![(86_400, low)]);
    }

    #[test]
    fn statistics_count_every_kind_per_child_with_response_times() {
        let mut book = Book::new();
        let a = file(&mut book, 1, "11.01.01.2001.001", Severity::High, 0);
        file(&mut book, 2, "11.01.01.2001.001", Severity::Low, 0);
        file(&mut book, 3, "11.02.01.2001.001", Severity::Critical, 0);
        let owner = Actor::officer(Role::KpuKabkota, code("11.01"));
        act(&mut book, a, Action::Acknowledge, owner, 600);
        act(&mut book, a, Action::Resolve, owner, 1800);
        // An hour and a half later the critical one in 11.02 is overdue.
        let stats = book.stats(&tree(), code("11"), UnixTime(5400)).unwrap();
        assert_eq!(stats.counts.total, 3);
        assert_eq!(stats.counts.severity, [1, 0, 1, 1]);
        assert_eq!(stats.counts.status, [2, 0, 1, 0]);
        assert_eq!(stats.counts.overdue, 1);
        assert_eq!(stats.ack_seconds, vec![600]);
        assert_eq!(percentile(&stats.resolve_seconds, 90), Some(1800));
        assert_eq!(percentile(&[], 50), None);
        let children: Vec<_> = stats
            .children
            .iter()
            .map(|(c, n)| (c.to_string(), n.total))
            .collect();
        assert_eq!(children, vec![("11.01".into(), 2), ("11.02".into(), 1)]);
        assert!(book.stats(&tree(), code("12"), UnixTime(0)).is_none());

        let overdue = Filter {
            overdue: Some(true),
            ..Filter::default()
        };
        assert_eq!(book.list(&overdue, UnixTime(5400)).len(), 1);
        let queue = Filter {
            owner_within: Some(code("11.01")),
            ..Filter::default()
        };
        let listed = book.list(&queue, UnixTime(0));
        assert_eq!(listed.len(), 2);
        assert_eq!(
            book.flagging(code("11.01.01.2001.001"), Severity::High)
                .count(),
            0
        );
        assert_eq!(
            book.flagging(code("11.02.01.2001.001"), Severity::High)
                .count(),
            1
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 100), Some(10));
        assert_eq!(percentile(&[7], 50), Some(7));
    }
}
