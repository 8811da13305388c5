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

/// `GET /api/v1/logistics/reconciliation/{contest}/{code}`: the ballots
/// of a contest accounted for after the count, at a region (or a TPS) and
/// each of its children. A TPS is counted once its current C.Hasil carries
/// the ballot section; it is reconciled when the ballots it received
/// (accepted deliveries of `ballot-<contest>`) equal used + unused +
/// damaged and `surat_suara_diterima`, and used equals
/// `pengguna_total_j`; mismatched otherwise (docs/logistics.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub code: String,
    pub contest: String,
    pub tps_reconciled: u64,
    pub tps_mismatched: u64,
    /// Every child region, in code order (none for a TPS).
    pub children: Vec<ReconciliationChild>,
    /// The first mismatched TPS at or under the region, in code order, at
    /// most [`MAX_MISMATCHES`]; `tps_mismatched` counts them all.
    pub mismatches: Vec<BallotMismatch>,
}

/// The most mismatched TPS one reconciliation answer lists.
pub const MAX_MISMATCHES: usize = 100;

/// A child region's counts in a [`Reconciliation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationChild {
    pub code: String,
    pub tps_reconciled: u64,
    pub tps_mismatched: u64,
}

/// A TPS whose ballots do not add up, with both sides' numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotMismatch {
    pub tps: String,
    /// Accepted deliveries of the contest's ballots into the TPS.
    pub received: u64,
    /// `surat_suara_digunakan`.
    pub used: u64,
    /// `surat_suara_tidak_digunakan`.
    pub unused: u64,
    /// `surat_suara_rusak`.
    pub damaged: u64,
    pub pengguna_total_j: u64,
}
