//! The ballot options that are public facts of 2024: the three paslon and
//! the 24 parties (18 national, 6 local to Aceh).

use saksi_core::{Party, Paslon};

/// The presidential candidate pairs, in ballot order.
pub(crate) fn paslon() -> Vec<Paslon> {
    [
        "Anies Baswedan - Muhaimin Iskandar",
        "Prabowo Subianto - Gibran Rakabuming Raka",
        "Ganjar Pranowo - Mahfud MD",
    ]
    .into_iter()
    .zip(1..)
    .map(|(name, number)| Paslon {
        number,
        name: name.to_owned(),
    })
    .collect()
}

/// Aceh's local parties, numbered 18 to 23: on DPRD ballots in Aceh only.
pub(crate) const ACEH_LOCAL: std::ops::RangeInclusive<u8> = 18..=23;

/// Every party of the election, by ballot number.
pub(crate) fn parties() -> Vec<Party> {
    [
        "Partai Kebangkitan Bangsa",
        "Partai Gerakan Indonesia Raya",
        "Partai Demokrasi Indonesia Perjuangan",
        "Partai Golongan Karya",
        "Partai NasDem",
        "Partai Buruh",
        "Partai Gelombang Rakyat Indonesia",
        "Partai Keadilan Sejahtera",
        "Partai Kebangkitan Nusantara",
        "Partai Hati Nurani Rakyat",
        "Partai Garda Republik Indonesia",
        "Partai Amanat Nasional",
        "Partai Bulan Bintang",
        "Partai Demokrat",
        "Partai Solidaritas Indonesia",
        "Partai Persatuan Indonesia",
        "Partai Persatuan Pembangunan",
        "Partai Nanggroe Aceh",
        "Partai Generasi Atjeh Beusaboh Thaat dan Taqwa",
        "Partai Darul Aceh",
        "Partai Aceh",
        "Partai Adil Sejahtera Aceh",
        "Partai Soliditas Independen Rakyat Aceh",
        "Partai Ummat",
    ]
    .into_iter()
    .zip(1..)
    .map(|(name, number)| Party {
        number,
        name: name.to_owned(),
        local: ACEH_LOCAL.contains(&number),
    })
    .collect()
}

/// The parties on a legislative ballot: the 18 national parties, plus
/// Aceh's local parties on DPRD ballots in Aceh.
pub(crate) fn on_ballot(with_aceh_local: bool) -> Vec<u8> {
    (1..=24)
        .filter(|n| with_aceh_local || !ACEH_LOCAL.contains(n))
        .collect()
}
