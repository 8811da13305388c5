//! How a polling unit votes: a TPS at home, or one of the three overseas
//! methods, told apart by the code of the pseudo-desa they lie under.

use serde::{Deserialize, Serialize};

use super::{Level, RegionCode};

/// A polling unit's voting method. Overseas (province `99`) each mission's
/// units lie under one pseudo-desa per method: `.1000` TPSLN polling
/// stations, `.2000` KSK mobile ballot boxes, `.3000` Pos postal voting. The
/// kit a unit needs follows from its method (DESIGN: logistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VotingMethod {
    /// A polling station at home.
    Tps,
    /// An overseas polling station (TPS Luar Negeri).
    Tpsln,
    /// An overseas mobile ballot box (Kotak Suara Keliling).
    Ksk,
    /// Overseas postal voting.
    Pos,
}

impl VotingMethod {
    /// Every method, home first.
    pub const ALL: [VotingMethod; 4] = [
        VotingMethod::Tps,
        VotingMethod::Tpsln,
        VotingMethod::Ksk,
        VotingMethod::Pos,
    ];

    /// The overseas methods with the number of the pseudo-desa that holds
    /// each mission's units of that method.
    pub const OVERSEAS: [(u32, VotingMethod); 3] = [
        (1000, VotingMethod::Tpsln),
        (2000, VotingMethod::Ksk),
        (3000, VotingMethod::Pos),
    ];

    /// The method of the TPS `code` (`None` above TPS level). An overseas
    /// unit under a desa number no method has is taken for a TPSLN, the
    /// kind every mission runs.
    pub fn of(code: RegionCode) -> Option<VotingMethod> {
        if code.level() != Level::Tps {
            return None;
        }
        if !code.is_luar_negeri() {
            return Some(VotingMethod::Tps);
        }
        let desa = code.parent()?.number();
        Some(
            Self::OVERSEAS
                .iter()
                .find(|(number, _)| *number == desa)
                .map_or(VotingMethod::Tpsln, |(_, method)| *method),
        )
    }

    /// The stable id (`tps`, `tpsln`, `ksk`, `pos`), as data files name it.
    pub fn id(self) -> &'static str {
        match self {
            VotingMethod::Tps => "tps",
            VotingMethod::Tpsln => "tpsln",
            VotingMethod::Ksk => "ksk",
            VotingMethod::Pos => "pos",
        }
    }

    /// The pseudo-desa number of an overseas method, `None` for a TPS.
    pub fn desa_number(self) -> Option<u32> {
        Self::OVERSEAS
            .iter()
            .find(|(_, method)| *method == self)
            .map(|(number, _)| *number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn a_units_method_is_read_off_its_pseudo_desa() {
        assert_eq!(
            VotingMethod::of(code("11.01.01.2001.001")),
            Some(VotingMethod::Tps)
        );
        assert_eq!(
            VotingMethod::of(code("99.01.01.1000.001")),
            Some(VotingMethod::Tpsln)
        );
        assert_eq!(
            VotingMethod::of(code("99.01.01.2000.004")),
            Some(VotingMethod::Ksk)
        );
        assert_eq!(
            VotingMethod::of(code("99.01.01.3000.002")),
            Some(VotingMethod::Pos)
        );
        assert_eq!(
            VotingMethod::of(code("99.01.01.4000.001")),
            Some(VotingMethod::Tpsln)
        );
        assert_eq!(VotingMethod::of(code("11.01.01.2001")), None);
        for (number, method) in VotingMethod::OVERSEAS {
            assert_eq!(method.desa_number(), Some(number));
        }
        assert_eq!(VotingMethod::Tps.desa_number(), None);
    }
}
