//! The six levels of the region tree.

use serde::{Deserialize, Serialize};

/// A level of the region tree. The order is the hierarchy: a region's parent
/// is always exactly one level up, so `level as u8` is also its depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nasional = 0,
    Provinsi = 1,
    Kabkota = 2,
    Kecamatan = 3,
    Desa = 4,
    Tps = 5,
}

impl Level {
    /// Every level, top down.
    pub const ALL: [Level; 6] = [
        Level::Nasional,
        Level::Provinsi,
        Level::Kabkota,
        Level::Kecamatan,
        Level::Desa,
        Level::Tps,
    ];

    /// The stable name used in the API, exports and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nasional => "nasional",
            Level::Provinsi => "provinsi",
            Level::Kabkota => "kabkota",
            Level::Kecamatan => "kecamatan",
            Level::Desa => "desa",
            Level::Tps => "tps",
        }
    }

    /// Parses the name written by [`Level::as_str`].
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Depth below the national root (0 for the root itself).
    pub fn depth(self) -> usize {
        self as usize
    }

    /// The level one step down, if any.
    pub fn child(self) -> Option<Level> {
        Level::ALL.get(self.depth() + 1).copied()
    }

    /// The level one step up, if any.
    pub fn parent(self) -> Option<Level> {
        self.depth().checked_sub(1).map(|d| Level::ALL[d])
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
