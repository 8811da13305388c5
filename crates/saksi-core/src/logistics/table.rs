//! The allocation table: which items, and how many, each kind of polling
//! unit gets. Data, not code: the commission changes a quantity (a bigger
//! reserve, a third bottle of ink) by handing the server a file, and the
//! default below is the 2024 rule (docs/logistics.md).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use thiserror::Error;

use crate::{Contest, VotingMethod};

/// The default table, the 2024 kit: ballots for DPT plus a 2% reserve, a
/// box and a seal set per contest, four booths, two bottles of ink, the
/// C.Hasil plano and salinan per contest, braille templates for PPWP and
/// DPD; overseas, mobile boxes (KSK) and postal envelopes (Pos).
pub const DEFAULT_TABLE: &str = include_str!("allocation.json");

/// Where an item name says "one of these per contest held".
pub const CONTEST_PLACEHOLDER: &str = "{contest}";

/// The largest `fixed` or `per_contest` quantity a rule may give: far above
/// any real kit, low enough that the nation's sums cannot overflow.
pub const MAX_QUANTITY: u32 = 100_000;

/// The largest `dpt_percent`: ten times the register.
pub const MAX_DPT_PERCENT: u32 = 1_000;

/// The longest item name, placeholder expanded.
pub const MAX_ITEM_LEN: usize = 48;

/// Whether `name` can name an item: 1 to [`MAX_ITEM_LEN`] of `a-z`, `0-9`
/// and `-`. The table's names are such, and so must be every item a
/// shipment names, so that a signed statement never carries a name no
/// table could give.
pub fn is_item_name(name: &str) -> bool {
    (1..=MAX_ITEM_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// How many of an item one unit gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// This many (per contest, when the name holds `{contest}`).
    Fixed(u32),
    /// This many per contest held, as one item (a box per contest).
    PerContest(u32),
    /// The unit's DPT times this percentage, rounded up (102: DPT plus a
    /// 2% reserve).
    DptPercent(u32),
}

impl Quantity {
    /// The quantity for a unit with `dpt` voters and `contests` contests
    /// of the rule held (1 for an item per contest).
    pub fn of(self, dpt: u32, contests: u32) -> u64 {
        match self {
            Quantity::Fixed(n) => u64::from(n),
            Quantity::PerContest(n) => u64::from(n) * u64::from(contests),
            Quantity::DptPercent(p) => (u64::from(dpt) * u64::from(p)).div_ceil(100),
        }
    }
}

/// One line of a method's kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The item's name; with `{contest}`, one item per contest held.
    pub item: String,
    pub quantity: Quantity,
    /// The contests the rule is for: it applies only where one of them is
    /// held. All five when the file names none.
    pub contests: Vec<Contest>,
}

impl Rule {
    /// True if the item name says "one per contest".
    pub fn per_contest_item(&self) -> bool {
        self.item.contains(CONTEST_PLACEHOLDER)
    }

    /// The item's name for `contest` (the name itself when it has no
    /// placeholder).
    pub fn name_for(&self, contest: Contest) -> String {
        self.item.replace(CONTEST_PLACEHOLDER, contest.id())
    }

    /// Every item name the rule can give: one per contest of the rule for
    /// an item per contest, else the name itself.
    pub fn names(&self) -> Vec<String> {
        if self.per_contest_item() {
            self.contests.iter().map(|c| self.name_for(*c)).collect()
        } else {
            vec![self.item.clone()]
        }
    }
}

/// A kit per voting method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationTable {
    methods: BTreeMap<VotingMethod, Vec<Rule>>,
}

/// Why an allocation file cannot be used: said with the method and rule it
/// is about, so whoever edits the file finds the line.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TableError {
    #[error("not an allocation table: {0}")]
    Json(String),
    #[error(
        "the table has no kit for the {0} units (every method needs one: tps, tpsln, ksk, pos)"
    )]
    MissingMethod(&'static str),
    #[error("{method} rule {rule}: {problem}")]
    Rule {
        method: &'static str,
        /// 1-based, as a person counts the rules in the file.
        rule: usize,
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    methods: BTreeMap<VotingMethod, Vec<RuleFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    item: String,
    fixed: Option<u32>,
    per_contest: Option<u32>,
    dpt_percent: Option<u32>,
    contests: Option<Vec<Contest>>,
}

impl Default for AllocationTable {
    fn default() -> AllocationTable {
        AllocationTable::parse(DEFAULT_TABLE).expect("the built-in allocation table is valid")
    }
}

impl AllocationTable {
    /// Reads and checks a table: every method has a kit, every rule exactly
    /// one quantity within bounds, item names short and plain, no item
    /// named twice in one kit.
    pub fn parse(text: &str) -> Result<AllocationTable, TableError> {
        let file: TableFile =
            serde_json::from_str(text).map_err(|e| TableError::Json(e.to_string()))?;
        let mut methods = BTreeMap::new();
        for method in VotingMethod::ALL {
            let rules = file
                .methods
                .get(&method)
                .ok_or(TableError::MissingMethod(method.id()))?;
            let mut named = BTreeSet::new();
            let mut kit = Vec::with_capacity(rules.len());
            for (i, raw) in rules.iter().enumerate() {
                let rule_error = |problem: String| TableError::Rule {
                    method: method.id(),
                    rule: i + 1,
                    problem,
                };
                let rule = check_rule(raw).map_err(rule_error)?;
                for name in rule.names() {
                    if !named.insert(name.clone()) {
                        return Err(rule_error(format!("item {name} is named twice")));
                    }
                }
                kit.push(rule);
            }
            methods.insert(method, kit);
        }
        Ok(AllocationTable { methods })
    }

    /// The kit of one voting method, in the file's order.
    pub fn rules(&self, method: VotingMethod) -> &[Rule] {
        self.methods.get(&method).map_or(&[], Vec::as_slice)
    }
}

fn check_rule(raw: &RuleFile) -> Result<Rule, String> {
    let quantity = match (raw.fixed, raw.per_contest, raw.dpt_percent) {
        (Some(n), None, None) => Quantity::Fixed(n),
        (None, Some(n), None) => Quantity::PerContest(n),
        (None, None, Some(p)) => Quantity::DptPercent(p),
        _ => return Err("give exactly one of fixed, per_contest, dpt_percent".into()),
    };
    match quantity {
        Quantity::Fixed(n) | Quantity::PerContest(n) if n > MAX_QUANTITY => {
            return Err(format!("{n} is more than {MAX_QUANTITY} a unit"));
        }
        Quantity::DptPercent(p) if p == 0 || p > MAX_DPT_PERCENT => {
            return Err(format!("dpt_percent {p} is outside 1..={MAX_DPT_PERCENT}"));
        }
        _ => {}
    }
    let per_contest_item = raw.item.contains(CONTEST_PLACEHOLDER);
    if per_contest_item && matches!(quantity, Quantity::PerContest(_)) {
        return Err(format!(
            "{} is already one item per contest: use fixed, not per_contest",
            raw.item
        ));
    }
    if raw.item.matches(CONTEST_PLACEHOLDER).count() > 1 {
        return Err(format!("{} names {{contest}} more than once", raw.item));
    }
    let longest = raw
        .item
        .replace(CONTEST_PLACEHOLDER, Contest::DprdKabkota.id());
    if !is_item_name(&longest) {
        return Err(format!(
            "item name {:?} must be 1 to {MAX_ITEM_LEN} of a-z, 0-9 and -, with at most one {{contest}}",
            raw.item
        ));
    }
    let contests = match &raw.contests {
        None => Contest::ALL.to_vec(),
        Some(list) if list.is_empty() => {
            return Err("contests, when given, names one or more".into());
        }
        Some(list) => {
            let mut sorted = list.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != list.len() {
                return Err("contests names a contest twice".into());
            }
            sorted
        }
    };
    Ok(Rule {
        item: raw.item.clone(),
        quantity,
        contests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_gives_every_method_a_kit() {
        let table = AllocationTable::default();
        for method in VotingMethod::ALL {
            assert!(!table.rules(method).is_empty(), "{method:?}");
        }
        let ballot = &table.rules(VotingMethod::Tps)[0];
        assert_eq!(ballot.item, "ballot-{contest}");
        assert_eq!(ballot.quantity, Quantity::DptPercent(102));
    }

    #[test]
    fn dpt_plus_two_percent_is_rounded_up() {
        let q = Quantity::DptPercent(102);
        assert_eq!(q.of(300, 1), 306);
        assert_eq!(q.of(250, 1), 255);
        assert_eq!(q.of(1, 1), 2);
        assert_eq!(q.of(0, 1), 0);
        assert_eq!(Quantity::PerContest(1).of(300, 4), 4);
        assert_eq!(Quantity::Fixed(4).of(300, 4), 4);
    }

    fn with_tps_rule(rule: &str) -> String {
        DEFAULT_TABLE.replacen(
            r#"{ "item": "booth", "fixed": 4 },"#,
            &format!("{rule},"),
            1,
        )
    }

    #[test]
    fn a_bad_rule_is_refused_naming_its_method_and_place() {
        for (rule, says) in [
            (r#"{ "item": "booth" }"#, "exactly one of"),
            (
                r#"{ "item": "booth", "fixed": 4, "dpt_percent": 100 }"#,
                "exactly one of",
            ),
            (
                r#"{ "item": "booth", "fixed": 100001 }"#,
                "more than 100000",
            ),
            (
                r#"{ "item": "booth", "dpt_percent": 0 }"#,
                "outside 1..=1000",
            ),
            (r#"{ "item": "Booth", "fixed": 4 }"#, "must be 1 to 48"),
            (r#"{ "item": "", "fixed": 4 }"#, "must be 1 to 48"),
            (
                r#"{ "item": "x-{contest}", "per_contest": 1 }"#,
                "use fixed",
            ),
            (
                r#"{ "item": "{contest}-{contest}", "fixed": 1 }"#,
                "more than once",
            ),
            (
                r#"{ "item": "box", "fixed": 4 }"#,
                "item box is named twice",
            ),
            (
                r#"{ "item": "ballot-{contest}", "fixed": 1 }"#,
                "item ballot-ppwp is named twice",
            ),
            (
                r#"{ "item": "x", "fixed": 1, "contests": [] }"#,
                "one or more",
            ),
            (
                r#"{ "item": "x", "fixed": 1, "contests": ["dpd", "dpd"] }"#,
                "twice",
            ),
        ] {
            let err = AllocationTable::parse(&with_tps_rule(rule)).unwrap_err();
            let TableError::Rule {
                method,
                rule: at,
                problem,
            } = &err
            else {
                panic!("{rule}: {err}");
            };
            assert_eq!((*method, *at), ("tps", 3), "{rule}");
            assert!(problem.contains(says), "{rule}: {problem}");
        }
    }

    #[test]
    fn a_table_without_a_methods_kit_or_with_unknown_fields_is_refused() {
        let without_pos = r#"{"methods": {"tps": [], "tpsln": [], "ksk": []}}"#;
        assert_eq!(
            AllocationTable::parse(without_pos),
            Err(TableError::MissingMethod("pos"))
        );
        let unknown = with_tps_rule(r#"{ "item": "booth", "fixd": 4 }"#);
        assert!(matches!(
            AllocationTable::parse(&unknown),
            Err(TableError::Json(_))
        ));
        let bad_contest = with_tps_rule(r#"{ "item": "x", "fixed": 1, "contests": ["dprd"] }"#);
        assert!(matches!(
            AllocationTable::parse(&bad_contest),
            Err(TableError::Json(_))
        ));
        assert!(matches!(
            AllocationTable::parse(r#"{"methods": {"mars": []}}"#),
            Err(TableError::Json(_))
        ));
    }
}
