//! What a simulated KPPS device reports, and the signed filing it posts:
//! the envelope the KPPS app's `sealReport` builds
//! (crates/saksi-web/assets/js/incident.js), `{"statement", "signature",
//! "key", "private": {"salt", "content": {"title", "description"}}}`,
//! with the statement committing to the content (docs/statements.md,
//! "incident").

use anyhow::Result;
use saksi_core::incident::{Category, Severity};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::Signer;
use saksi_sim::rng::Rng;
use saksi_statement::IncidentId;
use serde_json::json;

use crate::client::demo_keys::IncidentReport;

/// A difficulty as a KPPS reports it, and how its owner resolves it.
struct Kind {
    category: Category,
    /// How urgent it usually is; now and then one is graver.
    severity: Severity,
    title: &'static str,
    description: &'static str,
    resolution: &'static str,
    /// The count it interrupts, if it is of one contest.
    contest: Option<Contest>,
}

const KINDS: &[Kind] = &[
    Kind {
        category: Category::Logistics,
        severity: Severity::Medium,
        title: "Kotak suara rusak",
        description: "Tutup kotak suara DPR retak saat dibuka; segel masih utuh.",
        resolution: "Kotak suara pengganti dikirim dari gudang PPK dan segel dicatat dalam berita acara.",
        contest: Some(Contest::Dpr),
    },
    Kind {
        category: Category::Logistics,
        severity: Severity::Low,
        title: "Surat suara kurang",
        description: "Surat suara DPD kurang 12 lembar dari jumlah DPT ditambah cadangan.",
        resolution: "Tambahan surat suara diambil dari TPS terdekat dengan berita acara.",
        contest: Some(Contest::Dpd),
    },
    Kind {
        category: Category::Logistics,
        severity: Severity::Low,
        title: "Tinta sidik jari habis",
        description: "Botol tinta kedua hampir habis sebelum pukul 11.00.",
        resolution: "PPS mengantar dua botol tinta cadangan.",
        contest: None,
    },
    Kind {
        category: Category::Disaster,
        severity: Severity::Medium,
        title: "Listrik padam saat penghitungan",
        description: "Listrik padam sejak pukul 16.30; penghitungan dilanjutkan dengan lampu darurat.",
        resolution: "Genset dari kantor desa menyala; penghitungan berjalan normal.",
        contest: Some(Contest::Ppwp),
    },
    Kind {
        category: Category::Disaster,
        severity: Severity::High,
        title: "TPS tergenang banjir",
        description: "Air masuk ke tenda TPS setinggi mata kaki; logistik dipindah ke balai desa.",
        resolution: "TPS dipindah ke balai desa dengan persetujuan saksi dan pengawas.",
        contest: None,
    },
    Kind {
        category: Category::Health,
        severity: Severity::Medium,
        title: "Anggota KPPS pingsan",
        description: "Seorang anggota KPPS pingsan karena kelelahan dan dibawa ke puskesmas.",
        resolution: "Anggota pengganti dilantik PPS; petugas yang sakit dirawat dan stabil.",
        contest: None,
    },
    Kind {
        category: Category::Security,
        severity: Severity::High,
        title: "Keributan di sekitar TPS",
        description: "Sekelompok orang berkumpul dan berteriak di depan TPS saat penghitungan.",
        resolution: "Linmas dan polisi mengamankan lokasi; penghitungan dilanjutkan.",
        contest: None,
    },
    Kind {
        category: Category::It,
        severity: Severity::Low,
        title: "Aplikasi tidak bisa mengunggah foto",
        description: "Sinyal lemah; foto C.Hasil tertahan di antrean ponsel.",
        resolution: "Foto terkirim setelah petugas pindah ke lokasi dengan sinyal.",
        contest: None,
    },
    Kind {
        category: Category::Violation,
        severity: Severity::Medium,
        title: "Pemilih mencoblos dua kali",
        description: "Saksi melaporkan seorang pemilih yang jarinya sudah bertinta meminta surat suara.",
        resolution: "Pengawas TPS mencatat kejadian; surat suara tidak diberikan.",
        contest: None,
    },
    Kind {
        category: Category::Other,
        severity: Severity::Low,
        title: "Antrean pemilih panjang",
        description: "Antrean lebih dari 50 orang pada pukul 12.00 karena bilik suara hanya tiga.",
        resolution: "PPS meminjamkan satu bilik tambahan; antrean berkurang.",
        contest: None,
    },
];

/// One report drawn for a TPS.
pub struct Report {
    pub tps: RegionCode,
    pub category: Category,
    pub severity: Severity,
    pub title: &'static str,
    description: &'static str,
    contests: Vec<Contest>,
    /// What its owner writes on resolving it.
    pub resolution: &'static str,
}

/// Draws a report for `tps`: a kind from the catalogue, and one time in
/// six a severity one grade graver than usual (so most are low or medium,
/// some high or critical).
pub fn draw(rng: &mut Rng, tps: RegionCode) -> Report {
    let kind = rng.pick(KINDS);
    let graver = rng.chance(167);
    let severity = match (kind.severity, graver) {
        (Severity::Low, true) => Severity::Medium,
        (Severity::Medium, true) => Severity::High,
        (Severity::High | Severity::Critical, true) => Severity::Critical,
        (usual, false) => usual,
    };
    Report {
        tps,
        category: kind.category,
        severity,
        title: kind.title,
        description: kind.description,
        contests: kind.contest.into_iter().collect(),
        resolution: kind.resolution,
    }
}

impl Report {
    /// The filing the TPS's device `key` signs for the log `origin` at
    /// `signed_at`: the POST body and the incident's id. The salt is
    /// fresh and random, as a device's is.
    pub fn seal(
        &self,
        key: &Signer,
        origin: &str,
        signed_at: UnixTime,
    ) -> Result<(Vec<u8>, IncidentId)> {
        let content = json!({"title": self.title, "description": self.description});
        IncidentReport {
            tps: self.tps,
            category: self.category,
            severity: self.severity,
            contests: self.contests.clone(),
            content: &content,
        }
        .seal(key, origin, signed_at)
    }
}

#[cfg(test)]
mod tests {
    use saksi_statement::{Envelope, IncidentStatement, Private};
    use serde_json::Value;

    use super::*;

    #[test]
    fn a_sealed_report_opens_verifies_and_commits_to_its_content() {
        let key = Signer::from_seed("kpps-11.01.01.2001.001", &[3; 32]).unwrap();
        let tps = RegionCode::parse("11.01.01.2001.001").unwrap();
        let report = draw(&mut Rng::new(1), tps);
        let (body, id) = report
            .seal(&key, "saksi.test/log", UnixTime(1_707_915_600))
            .unwrap();
        let mut value: Value = serde_json::from_slice(&body).unwrap();
        let private = value.as_object_mut().unwrap().remove("private").unwrap();
        let private = Private::parse(&private).unwrap();
        let envelope = Envelope::from_value(value).unwrap();
        assert!(envelope.verify());
        let signed = envelope.open::<IncidentStatement>().unwrap();
        assert_eq!(signed.statement.content_sha256, private.commitment());
        assert_eq!(signed.statement.region, tps);
        assert_eq!(IncidentStatement::id_of(&signed.bytes), id);
    }

    #[test]
    fn most_reports_are_low_or_medium_and_every_kind_fits_the_limits() {
        let tps = RegionCode::parse("11.01.01.2001.001").unwrap();
        let mut rng = Rng::new(8);
        let graver = (0..600)
            .filter(|_| draw(&mut rng, tps).severity >= Severity::High)
            .count();
        assert!((60..300).contains(&graver), "{graver} of 600");
        for kind in KINDS {
            assert!(kind.title.chars().count() <= saksi_core::incident::TITLE_MAX_CHARS);
            assert!(kind.resolution.chars().count() <= saksi_core::incident::TEXT_MAX_CHARS);
        }
    }
}
