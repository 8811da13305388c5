//! The five contests held on election day.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A contest. Ids (`ppwp`, `dpr`, `dpd`, `dprd-prov`, `dprd-kabkota`) are
/// fixed: URLs, log entries and exports use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contest {
    /// President and vice-president (paslon).
    Ppwp,
    /// House of Representatives.
    Dpr,
    /// Regional Representative Council: individual candidates per province.
    Dpd,
    /// Provincial assembly.
    DprdProv,
    /// Regency/city assembly.
    DprdKabkota,
}

impl Contest {
    /// Every contest, in ballot order.
    pub const ALL: [Contest; 5] = [
        Contest::Ppwp,
        Contest::Dpr,
        Contest::Dpd,
        Contest::DprdProv,
        Contest::DprdKabkota,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Contest::Ppwp => "ppwp",
            Contest::Dpr => "dpr",
            Contest::Dpd => "dpd",
            Contest::DprdProv => "dprd-prov",
            Contest::DprdKabkota => "dprd-kabkota",
        }
    }

    /// Parses a stable id.
    pub fn parse(id: &str) -> Option<Contest> {
        Contest::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The name officers know, as printed on the C.Hasil form.
    pub fn name(self) -> &'static str {
        match self {
            Contest::Ppwp => "Presiden dan Wakil Presiden",
            Contest::Dpr => "DPR RI",
            Contest::Dpd => "DPD RI",
            Contest::DprdProv => "DPRD Provinsi",
            Contest::DprdKabkota => "DPRD Kabupaten/Kota",
        }
    }

    /// True where votes go to parties and their candidates (DPR and DPRD);
    /// PPWP and DPD ballots list individual options.
    pub fn is_party_list(self) -> bool {
        matches!(
            self,
            Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota
        )
    }

    /// The level whose sign-off is the contest's legal result: a DPRD
    /// Kab/Kota is decided by its KPU Kab/Kota, a DPRD Provinsi and the
    /// province's DPD seats by the KPU Provinsi (DPD votes are never summed
    /// across provinces), DPR and PPWP by the KPU RI. No region above it is
    /// signed off for the contest.
    pub fn recap_ends_at(self) -> crate::Level {
        match self {
            Contest::DprdKabkota => crate::Level::Kabkota,
            Contest::DprdProv | Contest::Dpd => crate::Level::Provinsi,
            Contest::Dpr | Contest::Ppwp => crate::Level::Nasional,
        }
    }

    /// Whether the contest's recap has a sign-off at `level`: from the
    /// kecamatan (the desa is a level of aggregation, not of recap) up to
    /// the level that decides it.
    pub fn has_recap_at(self, level: crate::Level) -> bool {
        level <= crate::Level::Kecamatan && level >= self.recap_ends_at()
    }

    /// Why a region of `level` has no recap of the contest, if it has none.
    pub fn no_recap_at(self, level: crate::Level) -> Option<String> {
        (!self.has_recap_at(level)).then(|| {
            format!(
                "no {self} recap at a {}: it runs from the kecamatan up to the {}",
                level.as_str(),
                self.recap_ends_at().as_str()
            )
        })
    }

    /// Dense index 0..5, for per-contest arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Contest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Contest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Contest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Contest::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown contest {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for c in Contest::ALL {
            assert_eq!(Contest::parse(c.id()), Some(c));
        }
        assert_eq!(Contest::parse("dprd"), None);
    }
}
