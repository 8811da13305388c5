//! The import report: how many regions came out per level, and how far the
//! commission's list and the Ministry's names disagree.

use std::fmt;

use saksi_core::Level;

/// A number of regions per level, provinsi to TPS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LevelCounts {
    pub provinsi: usize,
    pub kabkota: usize,
    pub kecamatan: usize,
    pub desa: usize,
    pub tps: usize,
}

impl LevelCounts {
    /// The count at `level` (0 for the national level).
    pub fn get(&self, level: Level) -> usize {
        match level {
            Level::Nasional => 0,
            Level::Provinsi => self.provinsi,
            Level::Kabkota => self.kabkota,
            Level::Kecamatan => self.kecamatan,
            Level::Desa => self.desa,
            Level::Tps => self.tps,
        }
    }

    /// The sum over every level.
    pub fn total(&self) -> usize {
        self.provinsi + self.kabkota + self.kecamatan + self.desa + self.tps
    }

    pub(super) fn add(&mut self, level: Level) {
        match level {
            Level::Nasional => {}
            Level::Provinsi => self.provinsi += 1,
            Level::Kabkota => self.kabkota += 1,
            Level::Kecamatan => self.kecamatan += 1,
            Level::Desa => self.desa += 1,
            Level::Tps => self.tps += 1,
        }
    }
}

/// What an import found, for the operator: how many regions came out, and
/// how far the two lists disagree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Regions imported per level (the national root not counted).
    pub imported: LevelCounts,
    /// True if a names list was read.
    pub names_read: bool,
    /// Codes of the names list that are not in the commission's list (left
    /// out of the tree).
    pub only_in_names: LevelCounts,
    /// Regions of the commission's list that the names list does not name
    /// (given the commission's desa name, or a synthetic name above desa).
    /// Counts every region when no names list was read.
    pub without_name: LevelCounts,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.imported;
        write!(
            f,
            "{} provinsi, {} kab/kota, {} kecamatan, {} desa, {} TPS",
            c.provinsi, c.kabkota, c.kecamatan, c.desa, c.tps
        )?;
        if self.names_read {
            let only = &self.only_in_names;
            let without = &self.without_name;
            write!(
                f,
                "; {} codes only in the names list ({} kab/kota, {} kecamatan, {} desa) \
                 and {} regions without a name there ({} kab/kota, {} kecamatan, {} desa)",
                only.total(),
                only.kabkota,
                only.kecamatan,
                only.desa,
                without.total(),
                without.kabkota,
                without.kecamatan,
                without.desa
            )?;
        }
        Ok(())
    }
}
