//! A value of every shape, with every optional field filled ([`full`]) and
//! with the optional fields left out ([`minimal`]).

use saksi_api::*;
use saksi_core::Level;
use serde_json::json;

pub fn totals(n: u64) -> Totals {
    Totals {
        dpt: 250 * n,
        pengguna_total_j: 200 * n,
        suara_sah: 190 * n,
        suara_tidak_sah: 10 * n,
        suara_total: 200 * n,
        tps_expected: n,
        tps_reported: n,
        options: OrderedMap(vec![
            ("01".into(), 100 * n),
            ("02".into(), 60 * n),
            ("03".into(), 30 * n),
        ]),
    }
}

pub fn receipt_form() -> Receipt {
    Receipt {
        log_index: 41,
        submitted_at: "2024-02-14T13:05:00Z".into(),
        leaf_hash: "3q2+7w==".into(),
        entry_sha256: "ab".repeat(32),
        tps: Some("32.73.01.1001.001".into()),
        contest: Some("ppwp".into()),
        version: Some(2),
        statement_sha256: Some("cd".repeat(32)),
        signed: Some("saksi/receipt/v1\n...\n\n— log abc=\n".into()),
    }
}

pub fn receipt_key() -> Receipt {
    Receipt {
        tps: None,
        contest: None,
        version: None,
        ..receipt_form()
    }
}

pub fn issue(rule: bool) -> Issue {
    Issue {
        code: "form.sum_mismatch".into(),
        rule: rule.then(|| "R1".into()),
        field: (!rule).then(|| "suara_sah".into()),
        message: "suara_sah + suara_tidak_sah is 201, suara_total is 200".into(),
    }
}

pub fn chasil() -> serde_json::Value {
    json!({
        "pemilih_dpt_l": 120, "pemilih_dpt_p": 130, "pemilih_dpt_j": 250,
        "pengguna_dpt_l": 90, "pengguna_dpt_p": 100, "pengguna_dpt_j": 190,
        "pengguna_dptb_l": 4, "pengguna_dptb_p": 4, "pengguna_dptb_j": 8,
        "pengguna_non_dpt_l": 1, "pengguna_non_dpt_p": 1, "pengguna_non_dpt_j": 2,
        "pengguna_total_l": 95, "pengguna_total_p": 105, "pengguna_total_j": 200,
        "suara_sah": 190, "suara_tidak_sah": 10, "suara_total": 200,
        "options": {"01": 100, "02": 60, "03": 30},
    })
}

/// [`chasil`] with both optional sections (disabled voters, ballots).
pub fn chasil_with_sections() -> serde_json::Value {
    let mut form = chasil();
    let sections = json!({
        "pemilih_disabilitas_l": 2, "pemilih_disabilitas_p": 1, "pemilih_disabilitas_j": 3,
        "pengguna_disabilitas_l": 1, "pengguna_disabilitas_p": 1, "pengguna_disabilitas_j": 2,
        "surat_suara_diterima": 260, "surat_suara_digunakan": 200,
        "surat_suara_tidak_digunakan": 58, "surat_suara_rusak": 2,
    });
    for (k, v) in sections.as_object().unwrap() {
        form[k] = v.clone();
    }
    form
}

pub fn allocation() -> Allocation {
    Allocation {
        code: "32.73.01.1001.001".into(),
        items: [("ballot-ppwp", 255), ("booth", 4), ("box", 5)]
            .into_iter()
            .map(|(item, n)| (item.to_owned(), n))
            .collect(),
    }
}

/// A desa's readiness: one TPS short of a box, the other ready, one
/// shipment overdue.
pub fn readiness() -> Readiness {
    let counts = |code: &str, ready: u64, expected: u64, short: &[(&str, u64)], overdue: u64| {
        ReadinessCounts {
            code: code.into(),
            tps_ready: ready,
            tps_expected: expected,
            shortfall: short.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect(),
            overdue,
        }
    };
    Readiness {
        counts: counts("32.73.01.1001", 1, 2, &[("box", 1)], 1),
        children: vec![
            counts("32.73.01.1001.001", 0, 1, &[("box", 1)], 1),
            counts("32.73.01.1001.002", 1, 1, &[], 0),
        ],
    }
}

/// A TPS's kit as shipped by its PPS; delivered (one damaged box of
/// ballots, a seal found broken) or not yet.
pub fn shipment(delivered: bool) -> Shipment {
    let items = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|(item, n)| ((*item).to_owned(), *n))
            .collect()
    };
    Shipment {
        id: 57,
        from: "32.73.01.1001".into(),
        to: "32.73.01.1001.001".into(),
        items: items(&[("ballot-ppwp", 255), ("box", 5)]),
        seals: vec!["KPU-0001".into(), "KPU-0002".into()],
        dispatched_at: "2024-02-10T08:00:00Z".into(),
        due_at: "2024-02-13T12:00:00Z".into(),
        log_index: 57,
        delivery: delivered.then(|| Delivery {
            log_index: 63,
            items: [
                (
                    "ballot-ppwp".to_owned(),
                    DeliveredItem {
                        accepted: 250,
                        rejected: 5,
                        reason: Some("damaged".into()),
                    },
                ),
                (
                    "box".to_owned(),
                    DeliveredItem {
                        accepted: 5,
                        rejected: 0,
                        reason: None,
                    },
                ),
            ]
            .into_iter()
            .collect(),
            seals_checked: vec!["KPU-0001".into()],
            seals_missing: vec!["KPU-0002".into()],
            photos: vec!["ab".repeat(32)],
            received_at: "2024-02-12T09:30:00Z".into(),
        }),
    }
}

pub fn region(children: bool) -> Region {
    Region {
        code: "32.73".into(),
        name: "KOTA BANDUNG".into(),
        level: Level::Kabkota,
        parent: Some("32".into()),
        dpt: Dpt {
            l: 900,
            p: 950,
            j: 1850,
        },
        children: if children {
            vec![RegionChild {
                code: "32.73.01".into(),
                name: "SUKASARI".into(),
                level: Level::Kecamatan,
            }]
        } else {
            Vec::new()
        },
    }
}

pub fn results(dapil: bool) -> Results {
    Results {
        code: "32".into(),
        name: "JAWA BARAT".into(),
        level: Level::Provinsi,
        parent: Some("0".into()),
        contest: if dapil { "dpr" } else { "ppwp" }.into(),
        log_size: 1234,
        last_updated: Some("2024-02-14T13:05:00Z".into()),
        provisional: !dapil,
        totals: totals(3),
        option_names: OrderedMap(vec![
            ("01".into(), "Paslon Satu".into()),
            ("02".into(), "Paslon Dua".into()),
        ]),
        children: vec![ChildTotals {
            code: "32.73".into(),
            name: "KOTA BANDUNG".into(),
            totals: totals(1),
            final_: dapil,
        }],
        dapil: dapil.then(|| {
            vec![DapilTotals {
                code: "32-01".into(),
                name: "JAWA BARAT I".into(),
                seats: 7,
                totals: totals(2),
            }]
        }),
        flags: OrderedMap(vec![
            ("above_dpt".into(), 2),
            ("unanimous".into(), 0),
            ("same_votes".into(), 4),
            ("turnout_outlier".into(), 1),
            ("last_digits".into(), 0),
        ]),
        final_: dapil.then(|| FinalTotals {
            totals: totals(3),
            log_index: 1200,
            signed_at: "2024-02-20T10:00:00Z".into(),
        }),
    }
}

pub fn recap_state(pending: bool) -> RecapState {
    RecapState {
        code: "11.01.01".into(),
        contest: "ppwp".into(),
        state: if pending { "pending" } else { "open" }.into(),
        k: 3,
        confirmations: if pending {
            vec![RecapConfirmation {
                key_id: "0a1b2c3d".into(),
                log_index: 77,
            }]
        } else {
            Vec::new()
        },
        blocked_by: if pending {
            Vec::new()
        } else {
            vec![Blocker {
                code: "11.01.01.2001.002".into(),
                reason: "no_form".into(),
            }]
        },
        statement: pending.then(|| {
            json!({"v": 1, "type": "signoff", "region": "11.01.01"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        }),
    }
}

pub fn dapil_results(party_list: bool) -> DapilResults {
    let candidate = |number| CandidateVotes {
        number,
        name: Some(format!("Calon {number}")),
        votes: 12,
    };
    DapilResults {
        contest: if party_list { "dpr" } else { "dpd" }.into(),
        code: "32-01".into(),
        name: "JAWA BARAT I".into(),
        seats: 7,
        regions: vec!["32.73".into(), "32.77".into()],
        log_size: 99,
        last_updated: None,
        provisional: true,
        totals: totals(4),
        parties: party_list.then(|| {
            vec![PartyVotes {
                number: 1,
                name: Some("Partai Satu".into()),
                party_votes: 20,
                total: 44,
                candidates: vec![candidate(1), candidate(2)],
            }]
        }),
        candidates: (!party_list).then(|| {
            vec![CandidateVotes {
                name: None,
                ..candidate(21)
            }]
        }),
    }
}

pub fn form_version(version: u32) -> FormVersion {
    FormVersion {
        version,
        log_index: 40 + u64::from(version),
        leaf_hash: Some("3q2+7w==".into()),
        submitted_at: "2024-02-14T13:05:00Z".into(),
        // Version 1 entered through a session (an old log), version 2 signed
        // on the TPS's behalf by its PPS.
        signer: (version > 1).then(|| FormSigner {
            role: "pps".into(),
            key_id: "1a2b3c4d".into(),
            key: "pps-32.73.01.1001+1a2b3c4d+AQ==".into(),
            on_behalf: (version == 2).then(|| OnBehalfReason {
                reason: "HP KPPS rusak".into(),
            }),
            // Version 3 a PPK's correction answering an upheld objection.
            correction: (version > 2).then(|| CorrectionReason {
                objection: 45,
                reason: "dihitung ulang di pleno".into(),
            }),
        }),
        form: chasil(),
        warnings: vec![issue(true), issue(false)],
        // Version 1 names no photo; version 2 one uploaded and one pending.
        photos: (1..version)
            .flat_map(|_| {
                [
                    FormPhoto {
                        sha256: "ab".repeat(32),
                        stored: true,
                    },
                    FormPhoto {
                        sha256: "cd".repeat(32),
                        stored: false,
                    },
                ]
            })
            .collect(),
        digest: Some(format!("{version:02x}").repeat(32)),
    }
}

/// An upheld and corrected objection by a pair's witness, or an open one
/// by Bawaslu.
pub fn objection(upheld: bool) -> TpsObjection {
    TpsObjection {
        log_index: if upheld { 45 } else { 48 },
        version: 2,
        fields: vec!["options.01".into(), "suara_sah".into()],
        text: "Di plano 90, bukan 100.".into(),
        by: TpsObjector {
            role: if upheld { "saksi" } else { "bawaslu" }.into(),
            region: "32.73".into(),
            party: None,
            paslon: upheld.then_some(1),
        },
        status: if upheld { "upheld" } else { "open" }.into(),
        ruling_log_index: upheld.then_some(46),
        corrected_log_index: upheld.then_some(47),
    }
}

pub fn form_diff() -> FormDiff {
    FormDiff {
        tps: "32.73.01.1001.001".into(),
        contest: "ppwp".into(),
        from: 2,
        to: 3,
        changes: vec![
            BoxChange {
                field: "options.01".into(),
                from: Some(100),
                to: Some(90),
            },
            BoxChange {
                field: "surat_suara_rusak".into(),
                from: Some(1),
                to: None,
            },
        ],
        versions: vec![DiffVersion {
            version: 3,
            log_index: 47,
            submitted_at: "2024-02-16T10:12:00Z".into(),
            signer: form_version(3).signer,
            objection: Some(objection(true)),
        }],
    }
}

pub fn review_queue() -> ReviewQueue {
    let clean = QueueTps {
        tps: "32.73.01.1001.002".into(),
        name: "TPS 002".into(),
        version: Some(1),
        digest: Some("cd".repeat(32)),
        log_index: Some(12),
        photos: vec!["ab".repeat(32)],
        warnings: Vec::new(),
        flags: Vec::new(),
        incidents_open: 0,
        objections: vec![objection(true)],
        no_form: None,
        attention: Vec::new(),
    };
    ReviewQueue {
        contest: "ppwp".into(),
        kecamatan: "32.73.01".into(),
        name: "Sukasari".into(),
        log_size: 50,
        state: "open".into(),
        counts: QueueCounts {
            total: 3,
            with_form: 2,
            no_form_reason: 1,
            missing: 0,
            attention: 2,
        },
        tps: vec![
            QueueTps {
                tps: "32.73.01.1001.001".into(),
                objections: vec![objection(false)],
                warnings: vec![issue(true)],
                flags: vec![TpsFlag {
                    code: "unanimous".into(),
                    message: "All 98 valid votes went to paslon 02.".into(),
                    contest: "ppwp".into(),
                }],
                incidents_open: 1,
                attention: vec![
                    "objection_open".into(),
                    "warnings".into(),
                    "flags".into(),
                    "incidents_open".into(),
                ],
                ..clean.clone()
            },
            QueueTps {
                tps: "32.73.01.1001.003".into(),
                version: None,
                digest: None,
                log_index: None,
                photos: Vec::new(),
                objections: Vec::new(),
                no_form: Some(QueueNoForm {
                    reason: "revote_ordered".into(),
                    log_index: 40,
                }),
                attention: vec!["revote_ordered".into()],
                ..clean.clone()
            },
            clean,
        ],
    }
}

pub fn recap_accepted(signed: bool) -> RecapAccepted {
    RecapAccepted {
        log_index: 45,
        receipt: Receipt {
            statement_sha256: signed.then(|| "ef".repeat(32)),
            ..receipt_key()
        },
    }
}

pub fn photo_stored() -> PhotoStored {
    PhotoStored {
        sha256: "ab".repeat(32),
        bytes: 123_456,
        stored: true,
    }
}

pub fn tps_page() -> TpsPage {
    TpsPage {
        code: "32.73.01.1001.001".into(),
        name: "TPS 001".into(),
        level: Level::Tps,
        parent: Some("32.73.01.1001".into()),
        dpt: Dpt {
            l: 120,
            p: 130,
            j: 250,
        },
        log_size: 50,
        contests: vec![
            TpsContest {
                contest: "ppwp".into(),
                held: true,
                current: Some(form_version(3)),
                versions: vec![form_version(1), form_version(2), form_version(3)],
                objections: vec![objection(true), objection(false)],
            },
            TpsContest {
                contest: "dpd".into(),
                held: true,
                current: None,
                versions: Vec::new(),
                objections: Vec::new(),
            },
        ],
        incidents: vec![TpsIncident {
            id: "0123456789abcdef0123456789abcdef".into(),
            category: "security".into(),
            severity: "high".into(),
            status: "acknowledged".into(),
            contests: vec!["ppwp".into()],
        }],
        flags: vec![TpsFlag {
            code: "unanimous".into(),
            message: "All 98 valid votes went to paslon 02.".into(),
            contest: "ppwp".into(),
        }],
        logistics: TpsLogistics {
            received: [("ballot-ppwp", 255), ("box", 4)]
                .into_iter()
                .map(|(item, n)| (item.to_owned(), n))
                .collect(),
            ready: false,
        },
    }
}

pub fn accepted() -> Accepted {
    Accepted {
        version: 2,
        warnings: vec![issue(true)],
        receipt: receipt_form(),
    }
}

pub fn key_accepted() -> KeyAccepted {
    KeyAccepted {
        log_index: 7,
        action: "register".into(),
        key: "kpps-32.73.01.1001.001+0a1b2c3d+AAAA".into(),
        receipt: receipt_key(),
    }
}

pub fn error(details: bool) -> ErrorBody {
    ErrorBody::new("form.invalid", "the form has 1 error").with_details(
        details.then(|| json!({"errors": [issue(true)], "reason": "r", "checkpoint_size": 3})),
    )
}

pub fn bulk() -> BulkResults {
    BulkResults {
        results: vec![
            BulkItem::Accepted {
                status: 201,
                body: key_accepted(),
                replayed: false,
            },
            BulkItem::Accepted {
                status: 201,
                body: key_accepted(),
                replayed: true,
            },
            BulkItem::Refused {
                error: error(false).error,
                status: 409,
            },
        ],
    }
}

pub fn log_entries() -> LogEntries {
    LogEntries {
        entries: vec![LogEntry {
            index: 0,
            data: "eyJ9".into(),
            leaf_hash: "3q2+7w==".into(),
        }],
    }
}

pub fn proof() -> Proof {
    Proof {
        proof: vec!["3q2+7w==".into(), "AAAA".into()],
    }
}

pub fn session() -> Session {
    Session {
        token: "t".repeat(43),
        expires_at: "2024-02-15T01:05:00Z".into(),
        totp_enrolment_required: true,
    }
}

pub fn totp_offer() -> TotpOffer {
    TotpOffer {
        secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
        uri: "otpauth://totp/Saksi:Ketua.KPU?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Saksi&algorithm=SHA1&digits=6&period=30".into(),
    }
}

pub fn recovery_codes() -> RecoveryCodes {
    RecoveryCodes {
        recovery_codes: vec!["abcd-efgh-ijkl-mn2p".into(); 10],
    }
}

pub fn session_info(party: Option<u8>) -> SessionInfo {
    SessionInfo {
        username: "Ketua.KPU".into(),
        role: if party.is_some() { "saksi" } else { "kpu-ri" }.into(),
        region: "0".into(),
        party,
        expires_at: "2024-02-15T01:05:00Z".into(),
        totp_enrolled: party.is_none(),
    }
}

pub fn health(status: &str) -> Health {
    match status {
        "ok" => Health {
            status: "ok".into(),
            reason: None,
            message: None,
            log_size: 10,
            checkpoint_size: Some(Some(10)),
        },
        "degraded" => Health {
            status: "degraded".into(),
            reason: Some("store.unavailable".into()),
            message: Some("the database is unavailable".into()),
            log_size: 10,
            checkpoint_size: Some(None),
        },
        _ => Health {
            status: "error".into(),
            reason: Some("lease.lost".into()),
            message: Some("another server took over".into()),
            log_size: 10,
            checkpoint_size: None,
        },
    }
}

pub fn issued_codes() -> IssuedCodes {
    IssuedCodes {
        codes: vec![IssuedCode {
            tps: "11.01.01.2001.002".into(),
            code: "1234-5678-9012".into(),
            expires_at: "2024-02-21T01:05:00Z".into(),
        }],
    }
}

pub fn enrolment_created() -> EnrolmentCreated {
    EnrolmentCreated {
        id: "0123456789abcdef0123456789abcdef".into(),
        status: EnrolmentStatus::Pending,
    }
}

pub fn enrolment(status: EnrolmentStatus) -> Enrolment {
    Enrolment {
        id: "0123456789abcdef0123456789abcdef".into(),
        tps: "11.01.01.2001.002".into(),
        status,
        reason: (status == EnrolmentStatus::Rejected).then(|| "HP bukan milik KPPS".into()),
    }
}

pub fn enrolments() -> Enrolments {
    Enrolments {
        enrolments: EnrolmentStatus::ALL
            .into_iter()
            .map(|status| EnrolmentEntry {
                id: "0123456789abcdef0123456789abcdef".into(),
                tps: "11.01.01.2001.002".into(),
                key: "kpps+1a2b3c4d+AQ".into(),
                status,
                created_at: "2024-02-14T01:05:00Z".into(),
                reason: (status == EnrolmentStatus::Rejected).then(|| "salah".into()),
            })
            .collect(),
    }
}

pub fn officer_key_submitted() -> OfficerKeySubmitted {
    OfficerKeySubmitted {
        id: 1,
        key: "pps+1a2b3c4d+AQ".into(),
        role: "pps".into(),
        region: "11.01.01.2001".into(),
        status: OfficerKeyStatus::Pending,
    }
}

pub fn officer_keys() -> OfficerKeys {
    OfficerKeys {
        keys: OfficerKeyStatus::ALL
            .into_iter()
            .map(|status| OfficerKeyEntry {
                id: 1,
                key: "pps+1a2b3c4d+AQ".into(),
                role: "pps".into(),
                region: "11.01.01.2001".into(),
                username: "pps.desa".into(),
                status,
                created_at: "2024-02-14T01:05:00Z".into(),
            })
            .collect(),
    }
}

pub fn key_defaults() -> KeyDefaults {
    KeyDefaults {
        origin: "saksi.localhost/log".into(),
        valid_from: "2024-02-14T01:05:00Z".into(),
        valid_until: "2024-08-12T01:05:00Z".into(),
    }
}
