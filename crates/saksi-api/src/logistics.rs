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

/// `GET /api/v1/logistics/stock/{code}`: what the office of a region (a
/// kab/kota's KPU warehouse, a kecamatan's PPK, a desa's PPS) or a TPS
/// holds: accepted deliveries in, minus shipments out. Items it holds none
/// of are left out. The same shape as [`Allocation`], so the two compare
/// item by item.
pub type Stock = Allocation;

/// `GET /api/v1/logistics/readiness/{code}`: a region's (or a TPS's)
/// readiness and each child's, counts only (docs/logistics.md,
/// "Readiness").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    #[serde(flatten)]
    pub counts: ReadinessCounts,
    /// Each child region's (a desa's TPS too), in code order; none for a
    /// TPS.
    pub children: Vec<ReadinessCounts>,
}

/// One region's readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessCounts {
    pub code: String,
    /// Its TPS that hold at least their allocation of every item.
    pub tps_ready: u64,
    /// Its TPS.
    pub tps_expected: u64,
    /// Per item, the sum over its TPS of what each lacks of its
    /// allocation; items no TPS lacks are left out.
    pub shortfall: BTreeMap<String, u64>,
    /// The shipments to its offices and TPS not delivered yet whose
    /// receiving level's deadline has passed.
    pub overdue: u64,
}

/// `GET /api/v1/logistics/shipments/{id}`: a shipment as signed by its
/// sender, and its delivery as signed by its receiver (`null` until
/// then). Quantities, region codes, seal numbers and times only: no
/// person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The shipment's id: the log index of its entry.
    pub id: u64,
    /// The sending office's region (a supplier's kab/kota, when `from` is
    /// `to`).
    pub from: String,
    pub to: String,
    pub items: BTreeMap<String, u64>,
    pub seals: Vec<String>,
    pub dispatched_at: String,
    pub due_at: String,
    pub log_index: u64,
    pub delivery: Option<Delivery>,
}

/// The receiver's proof of delivery of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub log_index: u64,
    pub items: BTreeMap<String, DeliveredItem>,
    /// The shipment's seals found intact.
    pub seals_checked: Vec<String>,
    /// The shipment's seals not found intact (broken or missing), in the
    /// shipment's order.
    pub seals_missing: Vec<String>,
    /// SHA-256 of each photo (`GET /api/v1/photos/{sha256}` once uploaded).
    pub photos: Vec<String>,
    pub received_at: String,
}

/// What arrived of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredItem {
    pub accepted: u64,
    pub rejected: u64,
    /// `damaged`, `wrong_contest`, `wrong_dapil` or `short` when something
    /// was rejected; `null` otherwise.
    pub reason: Option<String>,
}
