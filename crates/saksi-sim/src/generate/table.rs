//! The real 2024 figures the generator reproduces: per-province region
//! counts (issue table), seats and dapil of each legislative contest, and the
//! overseas totals.
//!
//! Region counts are the election commission's 2024 desa list; DPR seats per
//! dapil are those of the 2024 election (UU 7/2017 as amended for the new
//! Papua provinces); DPRD Provinsi seats follow the population bands of
//! UU 7/2017 art. 188, and their dapil counts are chosen so that the national
//! totals (2,372 seats, 301 dapil) are exact.

/// One province: its real counts and its seats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Province {
    pub code: u8,
    pub name: &'static str,
    pub kabkota: u32,
    /// How many of the kab/kota are cities (numbered from 71, as the
    /// Ministry numbers them).
    pub kota: u32,
    pub kecamatan: u32,
    pub desa: u32,
    pub tps: u32,
    /// DPR seats of each of the province's DPR dapil, in dapil order.
    pub dpr_seats: &'static [u16],
    pub dprd_prov_seats: u16,
    pub dprd_prov_dapil: u16,
}

const fn p(
    code: u8,
    name: &'static str,
    [kabkota, kota, kecamatan, desa, tps]: [u32; 5],
    dpr_seats: &'static [u16],
    [dprd_prov_seats, dprd_prov_dapil]: [u16; 2],
) -> Province {
    Province {
        code,
        name,
        kabkota,
        kota,
        kecamatan,
        desa,
        tps,
        dpr_seats,
        dprd_prov_seats,
        dprd_prov_dapil,
    }
}

/// The 38 domestic provinces, in code order: code, name, [kab/kota, of
/// which kota, kecamatan, desa, TPS], DPR seats per dapil, [DPRD Provinsi
/// seats, DPRD Provinsi dapil].
#[rustfmt::skip]
pub(crate) const PROVINCES: [Province; 38] = [
    p(11, "Aceh",                      [23, 5, 290, 6499, 16046],        &[7, 6], [81, 10]),
    p(12, "Sumatera Utara",            [33, 8, 455, 6110, 45875],        &[10, 10, 10], [100, 12]),
    p(13, "Sumatera Barat",            [19, 7, 179, 1265, 17569],        &[8, 6], [65, 8]),
    p(14, "Riau",                      [12, 2, 172, 1862, 19366],        &[7, 6], [65, 8]),
    p(15, "Jambi",                     [11, 2, 144, 1585, 11160],        &[8], [55, 8]),
    p(16, "Sumatera Selatan",          [17, 4, 241, 3249, 25985],        &[8, 9], [75, 9]),
    p(17, "Bengkulu",                  [10, 1, 129, 1513, 6210],         &[4], [45, 7]),
    p(18, "Lampung",                   [15, 2, 229, 2651, 25825],        &[10, 10], [85, 8]),
    p(19, "Kepulauan Bangka Belitung", [7, 1, 47, 393, 4116],            &[3], [45, 7]),
    p(21, "Kepulauan Riau",            [7, 2, 80, 419, 5914],            &[4], [45, 7]),
    p(31, "DKI Jakarta",               [6, 5, 44, 267, 30766],           &[6, 7, 8], [106, 10]),
    p(32, "Jawa Barat",                [27, 9, 627, 5957, 140457],       &[7, 10, 9, 6, 9, 6, 10, 9, 8, 7, 10], [120, 15]),
    p(33, "Jawa Tengah",               [35, 6, 576, 8563, 117299],       &[8, 7, 9, 7, 8, 8, 7, 8, 8, 7], [120, 13]),
    p(34, "DI Yogyakarta",             [5, 1, 78, 438, 11932],           &[8], [55, 7]),
    p(35, "Jawa Timur",                [38, 9, 666, 8494, 120666],       &[10, 7, 7, 8, 8, 9, 8, 10, 6, 6, 8], [120, 14]),
    p(36, "Banten",                    [8, 4, 155, 1552, 33324],         &[6, 6, 10], [100, 10]),
    p(51, "Bali",                      [9, 1, 57, 716, 12809],           &[9], [55, 9]),
    p(52, "Nusa Tenggara Barat",       [10, 2, 117, 1166, 16243],        &[3, 8], [65, 8]),
    p(53, "Nusa Tenggara Timur",       [22, 1, 315, 3442, 16746],        &[6, 7], [65, 8]),
    p(61, "Kalimantan Barat",          [14, 2, 174, 2145, 17626],        &[8, 4], [65, 8]),
    p(62, "Kalimantan Tengah",         [14, 1, 136, 1571, 7830],         &[6], [45, 6]),
    p(63, "Kalimantan Selatan",        [13, 2, 156, 2016, 13584],        &[6, 5], [55, 8]),
    p(64, "Kalimantan Timur",          [10, 3, 105, 1038, 11441],        &[8], [55, 8]),
    p(65, "Kalimantan Utara",          [5, 1, 55, 482, 2295],            &[3], [35, 5]),
    p(71, "Sulawesi Utara",            [15, 4, 171, 1839, 8240],         &[6], [45, 6]),
    p(72, "Sulawesi Tengah",           [13, 1, 175, 2017, 9462],         &[7], [55, 7]),
    p(73, "Sulawesi Selatan",          [24, 3, 313, 3059, 26357],        &[8, 9, 7], [85, 11]),
    p(74, "Sulawesi Tenggara",         [17, 2, 221, 2285, 8154],         &[6], [45, 7]),
    p(75, "Gorontalo",                 [6, 1, 77, 729, 3539],            &[3], [45, 6]),
    p(76, "Sulawesi Barat",            [6, 0, 69, 648, 4219],            &[4], [45, 6]),
    p(81, "Maluku",                    [11, 2, 118, 1234, 5622],         &[4], [45, 7]),
    p(82, "Maluku Utara",              [10, 2, 118, 1185, 4192],         &[3], [45, 6]),
    p(91, "Papua",                     [9, 1, 105, 993, 3109],           &[3], [45, 6]),
    p(92, "Papua Barat",               [7, 0, 86, 824, 1923],            &[3], [35, 5]),
    p(93, "Papua Selatan",             [4, 0, 82, 690, 1770],            &[3], [35, 4]),
    p(94, "Papua Tengah",              [8, 0, 131, 1197, 4484],          &[3], [45, 6]),
    p(95, "Papua Pegunungan",          [8, 0, 252, 2625, 5850],          &[3], [45, 6]),
    p(96, "Papua Barat Daya",          [6, 1, 132, 1013, 2156],          &[3], [35, 5]),
];

/// The province a code names, if it is one of the 38.
pub(crate) fn province(code: u8) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

/// The overseas province's code and name.
pub(crate) const LUAR_NEGERI_NAME: &str = "Luar Negeri";

/// Overseas missions (PPLN) and the countries that host them.
pub(crate) const MISSIONS: u32 = 128;
pub(crate) const COUNTRIES: u32 = 96;
/// Overseas polling units by voting method: TPSLN, KSK (mobile box), Pos.
pub(crate) const OVERSEAS_UNITS: [u32; 3] = [808, 1708, 689];
/// How many of the 128 missions run a KSK and a Pos (all run a TPSLN).
pub(crate) const MISSIONS_WITH: [u32; 3] = [128, 67, 109];

/// Domestic TPS of the whole nation.
pub(crate) const DOMESTIC_TPS: u64 = 820_161;
/// Registered voters: at home, and abroad.
pub(crate) const DOMESTIC_DPT: u64 = 204_807_222 - OVERSEAS_DPT;
pub(crate) const OVERSEAS_DPT: u64 = 1_750_474;
/// Desa carrying special-location TPS (numbered 901 and up) in 2024.
pub(crate) const DESA_WITH_SPECIAL_TPS: u64 = 702;

/// The nation's kab/kota holding a DPRD Kabupaten/Kota election (all but
/// DKI Jakarta's six), and that contest's totals.
pub(crate) const DPRD_KABKOTA_REGIONS: u64 = 508;
pub(crate) const DPRD_KABKOTA_SEATS: u64 = 17_510;
pub(crate) const DPRD_KABKOTA_DAPIL: u64 = 2_325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_adds_up_to_the_national_totals() {
        let sum = |f: fn(&Province) -> u64| PROVINCES.iter().map(f).sum::<u64>();
        assert_eq!(sum(|p| p.kabkota.into()), 514);
        assert_eq!(sum(|p| p.kota.into()), 98);
        assert_eq!(sum(|p| p.kecamatan.into()), 7_277);
        assert_eq!(sum(|p| p.desa.into()), 83_731);
        assert_eq!(sum(|p| p.tps.into()), DOMESTIC_TPS);
        assert_eq!(sum(|p| p.dpr_seats.len() as u64), 84);
        assert_eq!(
            sum(|p| p.dpr_seats.iter().map(|s| u64::from(*s)).sum()),
            580
        );
        assert_eq!(sum(|p| p.dprd_prov_seats.into()), 2_372);
        assert_eq!(sum(|p| p.dprd_prov_dapil.into()), 301);
        let dki = province(31).unwrap();
        assert_eq!(
            sum(|p| p.kabkota.into()) - u64::from(dki.kabkota),
            DPRD_KABKOTA_REGIONS
        );
        assert_eq!(OVERSEAS_UNITS.iter().sum::<u32>(), 3_205);
    }
}
