//! `GET /api/v1/results/...`: totals per contest and region, and per dapil.

use std::marker::PhantomData;

use saksi_core::Level;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Counts that add up over children (the OpenAPI schema `Totals`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub dpt: u64,
    pub pengguna_total_j: u64,
    pub suara_sah: u64,
    pub suara_tidak_sah: u64,
    pub suara_total: u64,
    pub tps_expected: u64,
    pub tps_reported: u64,
    pub options: Options,
}

impl From<&saksi_core::tally::Totals> for Totals {
    fn from(t: &saksi_core::tally::Totals) -> Totals {
        let [
            dpt,
            pengguna_total_j,
            suara_sah,
            suara_tidak_sah,
            suara_total,
            tps_expected,
            tps_reported,
        ] = t.fixed;
        Totals {
            dpt,
            pengguna_total_j,
            suara_sah,
            suara_tidak_sah,
            suara_total,
            tps_expected,
            tps_reported,
            options: OrderedMap(t.options.clone()),
        }
    }
}

/// Votes per option, in ballot order, keyed `01`... for paslon and by
/// number for parties and DPD candidates.
pub type Options = OrderedMap<u64>;

/// A JSON object kept as a list, so that the order on the wire is the
/// ballot's rather than an alphabetical one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// The value of one key, if it is listed.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OrderedMap<V>, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMap<V>, A::Error> {
                let mut list = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = map.next_entry::<String, V>()? {
                    list.push(entry);
                }
                Ok(OrderedMap(list))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A region's results in one contest, as of `log_size` accepted facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub contest: String,
    pub log_size: u64,
    pub last_updated: Option<String>,
    pub provisional: bool,
    pub totals: Totals,
    /// The name of every option in `totals`, keyed like it.
    pub option_names: OrderedMap<String>,
    pub children: Vec<ChildTotals>,
    /// Legislative contests only: the dapil that overlap the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dapil: Option<Vec<DapilTotals>>,
    /// TPS at or under the region whose current form of the contest
    /// carries each anomaly flag, every code named (zeros too).
    #[serde(default)]
    pub flags: OrderedMap<u64>,
    /// The region's final sign-off, beside the live totals: `null` until
    /// its commissioners signed it off (and again once it is reopened).
    #[serde(rename = "final", default)]
    pub final_: Option<FinalTotals>,
}

/// A region's final sign-off as the results show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalTotals {
    /// The totals the commissioners signed.
    pub totals: Totals,
    /// The confirmation that made it final.
    pub log_index: u64,
    /// That confirmation's `logged_at`.
    pub signed_at: String,
}

/// A child region's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildTotals {
    pub code: String,
    pub name: String,
    pub totals: Totals,
    /// Whether the child's recap is final: signed off finally itself or
    /// below a region that is.
    #[serde(rename = "final", default)]
    pub final_: bool,
}

/// A dapil's totals in a region's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DapilTotals {
    pub code: String,
    pub name: String,
    pub seats: u16,
    pub totals: Totals,
}

/// `GET /api/v1/results/{contest}/dapil/{dapil}`: candidate-level results
/// of one dapil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DapilResults {
    pub contest: String,
    pub code: String,
    pub name: String,
    pub seats: u16,
    pub regions: Vec<String>,
    pub log_size: u64,
    pub last_updated: Option<String>,
    pub provisional: bool,
    pub totals: Totals,
    /// Party-list contests (DPR, DPRD): votes by party and candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parties: Option<Vec<PartyVotes>>,
    /// DPD: votes by individual candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<CandidateVotes>>,
}

/// A party's votes in a dapil: for the party itself, and the sum with its
/// candidates'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyVotes {
    pub number: u8,
    pub name: Option<String>,
    pub party_votes: u64,
    pub total: u64,
    pub candidates: Vec<CandidateVotes>,
}

/// A candidate's votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateVotes {
    pub number: u16,
    pub name: Option<String>,
    pub votes: u64,
}
