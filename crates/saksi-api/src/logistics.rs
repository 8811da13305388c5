//! `GET /api/v1/logistics/...`: what each polling unit is sent. Counts
//! only, public: anyone can hold a region's kit against what arrived.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /api/v1/logistics/allocation/{code}`: a TPS's kit, or the sum of
/// the kits of every unit under a region. Items it gets none of are left
/// out; names are those of docs/logistics.md (`ballot-ppwp`, `box`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub code: String,
    pub items: BTreeMap<String, u64>,
}
