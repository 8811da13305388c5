//! Logistics: what every polling unit is sent. The allocation is computed
//! from the election (each unit's DPT, its voting method and the contests
//! it holds) by a table of rules that is data, so the commission can change
//! a quantity without a release (docs/logistics.md). Deadlines per level
//! of the chain say when each level must have its kit. After the count,
//! [`reconcile`] accounts for every TPS's ballots against its C.Hasil.

mod allocation;
mod deadline;
pub mod reconcile;
mod table;

pub use allocation::Allocation;
pub use deadline::{Deadlines, MAX_DAYS_BEFORE, PollingDay};
pub use table::{
    AllocationTable, CONTEST_PLACEHOLDER, DEFAULT_TABLE, MAX_DPT_PERCENT, MAX_ITEM_LEN,
    MAX_QUANTITY, Quantity, Rule, TableError, is_item_name,
};
