//! Synthetic names: places that sound Indonesian and people who could be
//! candidates. Real names are used only where they are public facts
//! (provinces, parties, paslon); everything below a province is made up.

use crate::rng::Rng;

const PLACE_HEADS: [&str; 40] = [
    "Suka", "Sumber", "Karang", "Mekar", "Tanjung", "Sido", "Banyu", "Cipa", "Pasir", "Batu",
    "Sungai", "Bukit", "Teluk", "Muara", "Lubuk", "Padang", "Kota", "Air", "Rawa", "Talang",
    "Tegal", "Kali", "Gunung", "Pematang", "Simpang", "Labuhan", "Pulau", "Bojong", "Ranca",
    "Wono", "Jati", "Sri", "Pangkal", "Ujung", "Lembah", "Tanah", "Kuala", "Koto", "Nagari", "Wai",
];

const PLACE_TAILS: [&str; 40] = [
    "maju", "jaya", "mulya", "sari", "rejo", "asih", "makmur", "indah", "baru", "raya", "wangi",
    "harja", "agung", "mukti", "luhur", "tengah", "lestari", "sentosa", "damai", "permai", "mekar",
    "kencana", "rahayu", "utama", "harapan", "bening", "tinggi", "panjang", "lama", "timur",
    "barat", "selatan", "utara", "merah", "putih", "hijau", "manis", "kembang", "lor", "kidul",
];

const FIRST_NAMES: [&str; 48] = [
    "Ahmad", "Siti", "Budi", "Dewi", "Agus", "Sri", "Hendra", "Rina", "Yusuf", "Nur", "Rudi",
    "Wati", "Andi", "Fitri", "Bambang", "Lestari", "Joko", "Ratna", "Dedi", "Indah", "Hasan",
    "Maria", "Made", "Ketut", "Teuku", "Cut", "Ilham", "Putri", "Rizki", "Ayu", "Fajar", "Intan",
    "Yohanes", "Maya", "Irwan", "Nining", "Samuel", "Kartini", "Arif", "Desi", "Hamzah", "Lina",
    "Taufik", "Sari", "Petrus", "Wulan", "Zainal", "Eka",
];

const FAMILY_NAMES: [&str; 48] = [
    "Saputra",
    "Hidayat",
    "Siregar",
    "Nasution",
    "Wibowo",
    "Santoso",
    "Pratama",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Kurniawan",
    "Setiawan",
    "Hakim",
    "Gunawan",
    "Purba",
    "Sinaga",
    "Pangaribuan",
    "Tanjung",
    "Rahman",
    "Syahputra",
    "Wijaya",
    "Susanto",
    "Nugroho",
    "Halim",
    "Lumban Gaol",
    "Manurung",
    "Rumbewas",
    "Wenda",
    "Tabuni",
    "Sitompul",
    "Daulay",
    "Hutapea",
    "Mahendra",
    "Permana",
    "Suryadi",
    "Utomo",
    "Hasibuan",
    "Marpaung",
    "Mandagi",
    "Lasut",
    "Pattimura",
    "Latuconsina",
    "Bachtiar",
    "Fauzi",
    "Ramadhan",
    "Sembiring",
    "Ginting",
    "Tarigan",
];

/// A place name such as "Sukamaju" or "Tanjung Harapan".
pub(crate) fn place(rng: &mut Rng) -> String {
    let head = *rng.pick(&PLACE_HEADS);
    let tail = *rng.pick(&PLACE_TAILS);
    if rng.chance(300) {
        let mut tail = tail.to_owned();
        tail[..1].make_ascii_uppercase();
        format!("{head} {tail}")
    } else {
        format!("{head}{tail}")
    }
}

/// A person's name such as "Siti Rahman" or "Ahmad Budi Siregar".
pub(crate) fn person(rng: &mut Rng) -> String {
    let first = *rng.pick(&FIRST_NAMES);
    let family = *rng.pick(&FAMILY_NAMES);
    if rng.chance(350) {
        let middle = *rng.pick(&FIRST_NAMES);
        format!("{first} {middle} {family}")
    } else {
        format!("{first} {family}")
    }
}

/// A Roman numeral, as DPR dapil are numbered ("JAWA BARAT XI").
pub(crate) fn roman(mut n: u32) -> String {
    const NUMERALS: [(u32, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals_number_dapil() {
        assert_eq!(roman(1), "I");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(11), "XI");
        assert_eq!(roman(14), "XIV");
    }

    #[test]
    fn names_are_deterministic_by_seed() {
        let a: Vec<String> = (0..5)
            .map({
                let mut rng = Rng::new(3);
                move |_| person(&mut rng)
            })
            .collect();
        let b: Vec<String> = (0..5)
            .map({
                let mut rng = Rng::new(3);
                move |_| person(&mut rng)
            })
            .collect();
        assert_eq!(a, b);
        assert!(!place(&mut Rng::new(4)).is_empty());
    }
}
