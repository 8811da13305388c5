//! The log entry codec: every entry type written by the one encoder is
//! exactly RFC 8785, decodes to what was written, and decoded bytes
//! re-encode to themselves (so the server's bytes and the auditor's reading
//! of them cannot drift apart).

use proptest::prelude::*;
use saksi_core::form::{CHasil, OptionVotes, Options, PartyVotes, SuratSuara, Triple};
use saksi_core::incident::{Action, Actor, Category, Owner, Public, Severity, Status};
use saksi_core::permission::Role;
use saksi_core::tally::Totals;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::Correction;
use saksi_statement::form::{form_bytes, version_digest};
use saksi_statement::logistics::{Received, RejectReason};
use saksi_statement::recap::{
    Child, Decision, NoFormReason, NoFormStatement, Objection, ObjectionEntry, Objector,
    ReopenStatement, RulingStatement, SignoffStatement,
};
use saksi_statement::{
    DeliveryStatement, Entry, EntryError, Envelope, FormEntryV1, FormStatement, IncidentEntry,
    IncidentEvent, IncidentStatement, KeyAction, KeyRole, KeyStatement, Kind, OnBehalf,
    ShipmentStatement, SignedEntry, Statement,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ORIGIN: &str = "saksi.localhost/log";

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// Signs a statement as a device or officer does and logs it at `at`.
fn logged<S: Statement>(statement: &Value, by: &Signer, at: i64) -> SignedEntry<S> {
    let Value::Object(object) = statement.clone() else {
        panic!("a statement is an object")
    };
    SignedEntry {
        signed: Envelope::sign(object, by).unwrap().open::<S>().unwrap(),
        logged_at: UnixTime(at),
    }
}

#[test]
fn assembled_form_v1_entries_are_exactly_the_canonical_encoding() {
    let form = CHasil::example_ppwp();
    let tps = code("11.01.01.2001.001");
    for prev in [None, Some([7u8; 32])] {
        let entry = FormEntryV1 {
            tps,
            contest: Contest::Ppwp,
            version: if prev.is_some() { 2 } else { 1 },
            prev,
            form_bytes: form_bytes(&form).unwrap(),
            form: form.clone(),
            role: Role::Kpps,
            region: tps,
            submitted_at: UnixTime(1_707_915_600),
        };
        let reference = json!({
            "type": "form",
            "v": 1,
            "tps": tps.to_string(),
            "contest": "ppwp",
            "version": entry.version,
            "prev": prev.map(hex::encode),
            "form": serde_json::to_value(&form).unwrap(),
            "submitted_by": {"role": "kpps", "region": tps.to_string()},
            "submitted_at": "2024-02-14T13:00:00Z",
        });
        let bytes = entry.encode();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            String::from_utf8(saksi_log::canonical_json(&reference).unwrap()).unwrap()
        );
        let decoded = Entry::decode(&bytes).unwrap();
        assert_eq!(decoded, Entry::FormV1(entry));
        assert_eq!(
            version_digest(&decoded, &bytes),
            Some(Sha256::digest(&bytes).into())
        );
        assert_eq!(decoded.statement_sha256(), None);
    }
}

#[test]
fn signed_entries_are_exactly_the_canonical_encoding_and_read_back() {
    let kpps = Signer::from_seed("odd\"name", &[3; 32]).unwrap();
    let statement = FormStatement {
        origin: ORIGIN.into(),
        tps: code("11.01.01.2001.001"),
        contest: Contest::Ppwp,
        version: 2,
        prev: Some([0xab; 32]),
        form: CHasil::example_ppwp(),
        photos: vec![[1; 32]],
        signed_at: UnixTime(1_707_915_600),
        on_behalf: None,
        correction: None,
    };
    let value = Value::Object(statement.to_object());
    let entry: SignedEntry<FormStatement> = logged(&value, &kpps, 1_707_915_909);
    let bytes = entry.encode();
    let reference = json!({"type": "form", "v": 2, "statement": value,
        "signature": base64_of(&entry.signed.signature), "signer": kpps.verifier().to_string(),
        "logged_at": "2024-02-14T13:05:09Z"});
    assert_eq!(bytes, saksi_log::canonical_json(&reference).unwrap());
    let decoded = Entry::decode(&bytes).unwrap();
    assert_eq!(decoded.kind(), Kind::FormV2);
    assert_eq!(decoded.logged_at(), UnixTime(1_707_915_909));
    let statement_bytes = saksi_log::canonical_json(&value).unwrap();
    let digest: [u8; 32] = Sha256::digest(&statement_bytes).into();
    assert_eq!(decoded.statement_sha256(), Some(digest));
    assert_eq!(version_digest(&decoded, &bytes), Some(digest));
    assert_eq!(
        decoded.form_version(),
        Some((statement.tps, Contest::Ppwp, 2))
    );
    let Entry::FormV2(read) = decoded else {
        panic!("a form v2 entry")
    };
    assert_eq!(read.signed.statement, statement);
    assert!(
        kpps.verifier()
            .verify(&read.signed.signed_bytes(), &read.signed.signature)
    );
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn entries_that_break_their_format_are_refused_with_the_reason() {
    let cases: [(&[u8], &str); 6] = [
        (br#"{"type":"objection","v":1}"#, "objection v1"),
        (br#"{"v":1}"#, "? v1"),
        (br#"{"type":"form", "v":1}"#, "whitespace"),
        (b"[1]", "not a JSON object"),
        (br#"{"type":"form","v":2}"#, "form v2: signed entry members"),
        (br#"{"type":"form","v":1}"#, "form v1: members are"),
    ];
    for (bytes, reason) in cases {
        let error = Entry::decode(bytes).unwrap_err();
        assert!(error.to_string().contains(reason), "{error}");
    }
    assert!(matches!(
        Entry::decode(b"{\"a\":1} "),
        Err(EntryError::NotCanonical(_))
    ));
}

fn triple() -> impl Strategy<Value = Triple> {
    (0u32..=9999, 0u32..=9999, 0u32..=9999).prop_map(|(l, p, j)| Triple { l, p, j })
}

fn votes(max_number: u16) -> impl Strategy<Value = Vec<OptionVotes>> {
    proptest::collection::btree_map(1..=max_number, 0u32..=9999, 1..6).prop_map(|m| {
        m.into_iter()
            .map(|(number, votes)| OptionVotes { number, votes })
            .collect()
    })
}

/// Any parseable C.Hasil of `contest` (ranges, not the validation rules:
/// the codec carries what a paper form says).
fn chasil(contest: Contest) -> impl Strategy<Value = CHasil> {
    let options = match contest {
        Contest::Ppwp => votes(3).prop_map(Options::Paslon).boxed(),
        Contest::Dpd => votes(40).prop_map(Options::Candidates).boxed(),
        _ => proptest::collection::btree_map(1u8..=24, (0u32..=9999, votes(12)), 1..5)
            .prop_map(|m| {
                Options::Parties(
                    m.into_iter()
                        .map(|(party, (votes, candidates))| PartyVotes {
                            party,
                            votes,
                            candidates,
                        })
                        .collect(),
                )
            })
            .boxed(),
    };
    (
        [triple(), triple(), triple(), triple(), triple()],
        proptest::option::of((0u32..=9999, 0u32..=9999, 0u32..=9999, 0u32..=9999)),
        (0u32..=9999, 0u32..=9999, 0u32..=9999),
        options,
    )
        .prop_map(|(t, surat, (sah, tidak_sah, total), options)| CHasil {
            pemilih_dpt: t[0],
            pengguna_dpt: t[1],
            pengguna_dptb: t[2],
            pengguna_non_dpt: t[3],
            pengguna_total: t[4],
            disabilitas: None,
            surat_suara: surat.map(|(diterima, digunakan, tidak_digunakan, rusak)| SuratSuara {
                diterima,
                digunakan,
                tidak_digunakan,
                rusak,
            }),
            suara_sah: sah,
            suara_tidak_sah: tidak_sah,
            suara_total: total,
            options,
        })
}

fn tps() -> impl Strategy<Value = RegionCode> {
    prop_oneof![
        (11u32..=94, 1u32..=99, 1u32..=99, 1001u32..=2999, 1u32..=999)
            .prop_map(|(p, k, c, d, t)| code(&format!("{p:02}.{k:02}.{c:02}.{d:04}.{t:03}"))),
        (1u32..=99, 1u32..=99, 1u32..=999)
            .prop_map(|(c, m, t)| code(&format!("99.{c:02}.{m:02}.1000.{t:03}"))),
    ]
}

fn contest() -> impl Strategy<Value = Contest> {
    proptest::sample::select(Contest::ALL.to_vec())
}

fn digest() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>()
}

fn time() -> impl Strategy<Value = UnixTime> {
    (1_600_000_000i64..1_900_000_000).prop_map(UnixTime)
}

/// A form statement whose form is as decoding gives it back (options in
/// the order the parser reads them).
fn form_statement() -> impl Strategy<Value = FormStatement> {
    // Neither, `on_behalf` or `correction`: never both.
    let signer = prop_oneof![
        Just((None, None)),
        "\\PC{1,500}".prop_map(|reason| (Some(OnBehalf { reason }), None)),
        (0u64..1 << 53, "\\PC{1,500}")
            .prop_map(|(objection, reason)| (None, Some(Correction { objection, reason }))),
    ];
    (
        contest(),
        tps(),
        1u32..50,
        digest(),
        time(),
        0usize..3,
        signer,
    )
        .prop_flat_map(
            |(contest, tps, version, prev, signed_at, photos, (on_behalf, correction))| {
                (chasil(contest), proptest::collection::vec(digest(), photos)).prop_map(
                    move |(form, photos)| FormStatement {
                        origin: ORIGIN.into(),
                        tps,
                        contest,
                        version,
                        prev: (version > 1).then_some(prev),
                        form: normalised(contest, &form),
                        photos,
                        signed_at,
                        on_behalf: on_behalf.clone(),
                        correction: correction.clone(),
                    },
                )
            },
        )
}

fn normalised(contest: Contest, form: &CHasil) -> CHasil {
    saksi_core::form::parse(contest, &form_bytes(form).unwrap()).unwrap()
}

fn key_statement() -> impl Strategy<Value = KeyStatement> {
    let roles = proptest::sample::select(vec![
        (KeyRole::KpuRi, "0"),
        (KeyRole::KpuProv, "31"),
        (KeyRole::KpuKabkota, "31.71"),
        (KeyRole::Kpps, "31.71.01.1001.001"),
        (KeyRole::Pps, "31.71.01.1001"),
        (KeyRole::Ppk, "31.71.01"),
        (KeyRole::Supplier, "31.71"),
    ]);
    (
        any::<[u8; 32]>(),
        any::<bool>(),
        roles,
        time(),
        time(),
        (time(), any::<bool>()),
    )
        .prop_map(
            |(seed, register, (role, region), from, until, (signed_at, commissioner))| {
                KeyStatement {
                    origin: ORIGIN.into(),
                    key: Signer::from_seed(&format!("{}-{region}", role.id()), &seed)
                        .unwrap()
                        .verifier(),
                    action: if register {
                        KeyAction::Register {
                            role,
                            region: code(region),
                            valid_from: from.min(until),
                            valid_until: UnixTime(from.0.max(until.0) + 1),
                            commissioner: commissioner && role.may_be_commissioner(),
                        }
                    } else {
                        KeyAction::Revoke
                    },
                    signed_at,
                }
            },
        )
}

/// A region at any level on the way down to a TPS (the root included).
fn region() -> impl Strategy<Value = RegionCode> {
    (tps(), proptest::sample::select(Level::ALL.to_vec()))
        .prop_map(|(tps, level)| tps.ancestor_at(level).unwrap())
}

/// Any public state the codec must carry (the lifecycle's rules are the
/// auditor's, not the codec's): an owner at one of the three KPU levels
/// above the incident's region.
fn incident_state(region: RegionCode) -> impl Strategy<Value = Public> {
    (
        proptest::sample::select(Category::ALL.to_vec()),
        proptest::sample::select(Severity::ALL.to_vec()),
        proptest::sample::subsequence(Contest::ALL.to_vec(), 0..=5),
        proptest::sample::select(vec![Level::Nasional, Level::Provinsi, Level::Kabkota]),
        proptest::sample::select(Status::ALL.to_vec()),
        proptest::option::of(time()),
        proptest::option::of(time()),
        any::<(bool, bool)>(),
    )
        .prop_map(
            move |(
                category,
                severity,
                contests,
                level,
                status,
                ack_due,
                resolve_due,
                (overdue, public),
            )| {
                let level = level.min(region.level());
                Public {
                    category,
                    severity,
                    region,
                    contests,
                    owner: Owner {
                        level,
                        region: region.ancestor_at(level).unwrap(),
                    },
                    status,
                    ack_due,
                    resolve_due,
                    overdue,
                    public,
                }
            },
        )
}

/// The server, or an officer of any role at a region of that role's level.
fn actor(tps: RegionCode) -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(Actor::SYSTEM),
        (
            proptest::sample::select(Role::ALL.to_vec()),
            proptest::sample::select(Level::ALL.to_vec())
        )
            .prop_map(move |(role, level)| {
                let level = role.level().unwrap_or(level);
                Actor::officer(role, tps.ancestor_at(level).unwrap())
            }),
    ]
}

/// An unsigned event: a filing through a session (`seq` 0) or any later
/// event; the server's own events carry no commitment.
fn incident_event() -> impl Strategy<Value = IncidentEvent> {
    (
        tps(),
        region(),
        proptest::sample::select(Action::ALL.to_vec()),
    )
        .prop_flat_map(|(tps, region, action)| {
            let seq = if action == Action::File {
                Just(0u32).boxed()
            } else {
                (1u32..10_000).boxed()
            };
            (
                any::<[u8; 16]>(),
                seq,
                actor(tps),
                incident_state(region),
                proptest::option::of(digest()),
            )
                .prop_map(move |(id, seq, actor, state, content)| IncidentEvent {
                    id: saksi_statement::IncidentId(id),
                    seq,
                    action,
                    actor,
                    state,
                    content_sha256: content.filter(|_| actor != Actor::SYSTEM),
                })
        })
}

/// A filing statement of a KPPS device at its TPS.
fn incident_statement() -> impl Strategy<Value = IncidentStatement> {
    (
        tps(),
        proptest::sample::select(Category::ALL.to_vec()),
        proptest::sample::select(Severity::ALL.to_vec()),
        proptest::sample::subsequence(Contest::ALL.to_vec(), 0..=5),
        digest(),
    )
        .prop_map(
            |(region, category, severity, contests, content_sha256)| IncidentStatement {
                region,
                category,
                severity,
                contests,
                content_sha256,
                origin: "saksi.localhost/log".into(),
                signed_at: UnixTime(1_707_915_600),
            },
        )
}

/// The statement object a device signs.
fn statement_value(statement: &IncidentStatement) -> Value {
    serde_json::from_slice(&statement.canonical()).unwrap()
}

/// A filing a KPPS device signed, logged as the server logs it: the event
/// states what the statement says.
fn signed_filing(
    statement: &IncidentStatement,
    state: Public,
    by: &Signer,
    at: i64,
) -> IncidentEntry {
    IncidentEntry {
        event: IncidentEvent {
            id: statement.id(),
            seq: 0,
            action: Action::File,
            actor: Actor::officer(Role::Kpps, statement.region),
            state,
            content_sha256: Some(statement.content_sha256),
        },
        logged_at: UnixTime(at),
        signed: Some(logged::<IncidentStatement>(&statement_value(statement), by, at).signed),
    }
}

/// The state right after a KPPS filed `statement`.
fn filed_state(statement: &IncidentStatement, at: i64) -> Public {
    Public::filed(
        statement.region,
        statement.region,
        statement.category,
        statement.severity,
        statement.contests.clone(),
        UnixTime(at),
        &saksi_core::incident::Deadlines::default(),
    )
    .unwrap()
}

/// `statement` signed by its TPS's device and logged at 13:00 UTC on
/// voting day.
fn filed_on_voting_day(statement: &IncidentStatement) -> (Signer, IncidentEntry) {
    let at = 1_707_915_600;
    let kpps = Signer::from_seed(&format!("kpps-{}", statement.region), &[4; 32]).unwrap();
    let entry = signed_filing(statement, filed_state(statement, at), &kpps, at);
    (kpps, entry)
}

#[test]
fn incident_entries_are_exactly_the_canonical_encoding_of_their_format() {
    let statement = IncidentStatement {
        region: code("11.01.01.2001.001"),
        category: Category::Logistics,
        severity: Severity::Critical,
        contests: vec![Contest::Ppwp],
        content_sha256: [0xcd; 32],
        origin: "saksi.localhost/log".into(),
        signed_at: UnixTime(1_707_915_600),
    };
    let (kpps, entry) = filed_on_voting_day(&statement);
    let signed = entry.signed.clone().unwrap();
    let id = statement.id().to_string();
    let reference = json!({"type": "incident", "v": 1, "logged_at": "2024-02-14T13:00:00Z",
        "signature": base64_of(&signed.signature), "signer": kpps.verifier().to_string(),
        "statement": statement_value(&statement),
        "event": {"action": "file", "by": {"role": "kpps", "region": "11.01.01.2001.001"},
            "category": "logistics", "content_sha256": "cd".repeat(32), "contests": ["ppwp"],
            "due": {"ack": "2024-02-14T13:15:00Z", "resolve": "2024-02-14T15:00:00Z"},
            "id": id, "overdue": false, "owner": {"level": "kabkota", "region": "11.01"},
            "public": false, "region": "11.01.01.2001.001", "seq": 0, "severity": "critical",
            "status": "open"}});
    let bytes = entry.encode();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        String::from_utf8(saksi_log::canonical_json(&reference).unwrap()).unwrap()
    );
    let decoded = Entry::decode(&bytes).unwrap();
    assert_eq!(decoded.kind(), Kind::IncidentV1);
    assert_eq!(
        decoded.statement_sha256(),
        Some(Sha256::digest(statement.canonical()).into())
    );
    assert_eq!(decoded.form_version(), None);
    assert_eq!(decoded, Entry::IncidentV1(entry.clone()));

    // The server's escalation: no commitment, no statement, no ack due
    // once acknowledged.
    let escalated = IncidentEntry {
        event: IncidentEvent {
            seq: 3,
            action: Action::Escalate,
            actor: Actor::SYSTEM,
            content_sha256: None,
            state: Public {
                contests: vec![],
                ack_due: None,
                owner: Owner {
                    level: Level::Nasional,
                    region: RegionCode::NASIONAL,
                },
                ..entry.event.state.clone()
            },
            ..entry.event.clone()
        },
        logged_at: UnixTime(1_707_916_500),
        signed: None,
    };
    let reference = json!({"type": "incident", "v": 1, "logged_at": "2024-02-14T13:15:00Z",
        "event": {"action": "escalate", "by": {"role": "system"}, "category": "logistics",
            "due": {"resolve": "2024-02-14T15:00:00Z"}, "id": id, "overdue": false,
            "owner": {"level": "nasional", "region": "0"}, "public": false,
            "region": "11.01.01.2001.001", "seq": 3, "severity": "critical", "status": "open"}});
    assert_eq!(
        escalated.encode(),
        saksi_log::canonical_json(&reference).unwrap()
    );
    let decoded = Entry::decode(&escalated.encode()).unwrap();
    assert_eq!(decoded.statement_sha256(), None);
    assert_eq!(decoded, Entry::IncidentV1(escalated));
}

/// `entry` decoded with the member at `pointer` set to `value`, or
/// removed.
fn edited(entry: &Value, pointer: &str, value: Option<Value>) -> Result<Entry, EntryError> {
    let mut entry = entry.clone();
    let (parent, name) = pointer.rsplit_once('/').unwrap();
    let object = entry.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(value) => object.insert(name.into(), value),
        None => object.remove(name),
    };
    Entry::decode(&saksi_log::canonical_json(&entry).unwrap())
}

#[test]
fn incident_entries_that_break_their_format_are_refused() {
    let statement = IncidentStatement {
        region: code("11.01.01.2001.001"),
        category: Category::Health,
        severity: Severity::Low,
        contests: vec![],
        content_sha256: [1; 32],
        origin: "saksi.localhost/log".into(),
        signed_at: UnixTime(1_707_915_600),
    };
    let (_, filing) = filed_on_voting_day(&statement);
    let good: Value = serde_json::from_slice(&filing.encode()).unwrap();
    assert!(Entry::decode(&saksi_log::canonical_json(&good).unwrap()).is_ok());
    let hex = "ab".repeat(32);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/event/category", json!("fire"), "event.category"),
        ("/event/severity", json!("urgent"), "event.severity"),
        ("/event/action", json!("delete"), "event.action"),
        ("/event/status", json!("pending"), "event.status"),
        ("/event/by/role", json!("lurah"), "event.by.role"),
        ("/event/by", json!({"role": "kpps"}), "system"),
        (
            "/event/by",
            json!({"role": "system", "region": "0"}),
            "event.by.role",
        ),
        ("/event/by/region", json!("11.01"), "event.by.region"),
        ("/event/id", json!("AB".repeat(16)), "event.id"),
        (
            "/event/content_sha256",
            json!("AB".repeat(32)),
            "event.content_sha256",
        ),
        (
            "/event/content_sha256",
            json!(hex[..62]),
            "event.content_sha256",
        ),
        ("/event/contests", json!(["dpr", "ppwp"]), "contests"),
        ("/event/contests", json!([]), "contests"),
        (
            "/event/owner/level",
            json!("kecamatan"),
            "event.owner.level",
        ),
        ("/event/owner/region", json!("11"), "event.owner.region"),
        ("/event/region", json!("1101012001001"), "event.region"),
        ("/event/due", json!({}), "event.due"),
        ("/event/due/ack", json!("soon"), "event.due"),
        ("/event/overdue", json!("no"), "event.overdue"),
        ("/event/seq", json!(-1), "event.seq"),
        ("/event/seq", json!(1), "event 0"),
        ("/event/reporter", json!("budi"), "event members"),
        ("/statement/category", json!("fire"), "statement is refused"),
        ("/statement/title", json!("Banjir"), "statement is refused"),
        ("/signature", json!("AAAA"), "signature"),
        ("/note", json!("x"), "members are"),
    ];
    for (pointer, value, reason) in cases {
        let error = edited(&good, pointer, Some(value.clone())).unwrap_err();
        assert!(
            error.to_string().contains(reason),
            "{pointer} = {value}: {error}"
        );
    }
    for pointer in [
        "/event/seq",
        "/event/by",
        "/event/owner",
        "/event/id",
        "/logged_at",
        "/signer",
    ] {
        assert!(edited(&good, pointer, None).is_err(), "without {pointer}");
    }
    // Signed members on an event that is not a filing, and a commitment
    // on the server's own event.
    let mut comment = good.clone();
    comment["event"]["action"] = json!("comment");
    comment["event"]["seq"] = json!(1);
    let error = Entry::decode(&saksi_log::canonical_json(&comment).unwrap()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("only a filing carries a signed statement"),
        "{error}"
    );
    let mut system = good;
    for name in ["signature", "signer", "statement"] {
        system.as_object_mut().unwrap().remove(name);
    }
    system["event"]["action"] = json!("escalate");
    system["event"]["seq"] = json!(1);
    system["event"]["by"] = json!({"role": "system"});
    let error = Entry::decode(&saksi_log::canonical_json(&system).unwrap()).unwrap_err();
    assert!(error.to_string().contains("no `content_sha256`"), "{error}");
}

/// An objection by any objector of a region above its TPS.
fn objection() -> impl Strategy<Value = Objection> {
    (
        tps(),
        contest(),
        1u32..100,
        proptest::sample::subsequence(saksi_core::form::FIELDS.to_vec(), 1..=28),
        "\\PC{1,2000}".prop_filter("not blank", |t| !t.trim().is_empty()),
        proptest::sample::select(vec![Level::Nasional, Level::Provinsi, Level::Desa]),
        (1u8..=99, 0u8..3),
    )
        .prop_map(|(tps, contest, version, fields, text, level, (n, who))| {
            let region = tps.ancestor_at(level).unwrap();
            let by = match who {
                0 => Objector::Party { region, party: n },
                1 => Objector::Paslon { region, paslon: n },
                _ => Objector::Bawaslu { region },
            };
            Objection {
                tps,
                contest,
                version,
                fields: fields.into_iter().map(str::to_owned).collect(),
                text,
                by,
            }
        })
}

fn ruling() -> impl Strategy<Value = RulingStatement> {
    (
        0u64..1 << 53,
        any::<bool>(),
        "\\PC{1,500}".prop_filter("not blank", |t| !t.trim().is_empty()),
        time(),
    )
        .prop_map(|(objection, upheld, reason, signed_at)| RulingStatement {
            origin: ORIGIN.into(),
            objection,
            decision: if upheld {
                Decision::Upheld
            } else {
                Decision::Rejected
            },
            reason,
            signed_at,
        })
}

/// A sign-off of a kecamatan (its TPS) or of a province (its kab/kota),
/// with totals whose options are in ballot order.
fn signoff() -> impl Strategy<Value = SignoffStatement> {
    (
        any::<bool>(),
        proptest::collection::btree_map(1u32..=999, digest(), 1..40),
        proptest::array::uniform7(0u64..1 << 40),
        proptest::collection::btree_map(1u32..=60, 0u64..1 << 40, 0..30),
        contest(),
        1u32..=50,
    )
        .prop_map(|(kecamatan, children, fixed, options, contest, k)| {
            let region = if kecamatan { "32.73.01" } else { "32" };
            let child = |n: u32| {
                if kecamatan {
                    format!("32.73.01.1001.{n:03}")
                } else {
                    format!("32.{:02}", n % 99 + 1)
                }
            };
            let mut children: Vec<Child> = children
                .into_iter()
                .map(|(n, digest)| Child {
                    code: code(&child(n)),
                    digest,
                })
                .collect();
            children.sort_by_key(|c| c.code);
            children.dedup_by_key(|c| c.code);
            let contest = if contest == Contest::DprdKabkota && !kecamatan {
                Contest::Dpd
            } else {
                contest
            };
            let key = |n: u32| {
                if contest == Contest::Ppwp {
                    format!("{n:02}")
                } else {
                    n.to_string()
                }
            };
            SignoffStatement {
                origin: ORIGIN.into(),
                contest,
                region: code(region),
                children,
                totals: Totals {
                    fixed,
                    options: options.into_iter().map(|(n, v)| (key(n), v)).collect(),
                },
                k,
            }
        })
}

/// A reason for no form, with an incident for reason `incident`.
fn no_form() -> impl Strategy<Value = NoFormStatement> {
    (
        tps(),
        contest(),
        proptest::sample::select(NoFormReason::ALL.to_vec()),
        any::<[u8; 16]>(),
        "\\PC{1,500}".prop_filter("not blank", |t| !t.trim().is_empty()),
        time(),
    )
        .prop_map(
            |(tps, contest, reason, id, note, signed_at)| NoFormStatement {
                origin: ORIGIN.into(),
                tps,
                contest,
                reason,
                incident: (reason == NoFormReason::Incident)
                    .then_some(saksi_statement::IncidentId(id)),
                note,
                signed_at,
            },
        )
}

/// A reopen of a kecamatan, kab/kota or province.
fn reopen() -> impl Strategy<Value = ReopenStatement> {
    (
        proptest::sample::select(vec!["32.73.01", "32.73", "32"]),
        digest(),
        "\\PC{1,500}".prop_filter("not blank", |t| !t.trim().is_empty()),
        1u32..=50,
        proptest::sample::select(vec![Contest::Ppwp, Contest::Dpr, Contest::Dpd]),
    )
        .prop_map(
            |(region, final_digest, reason, k, contest)| ReopenStatement {
                origin: ORIGIN.into(),
                contest,
                region: code(region),
                final_digest,
                reason,
                k,
            },
        )
}

/// An item name as the allocation table writes them.
fn item() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,48}"
}

/// Seal numbers: visible ASCII, none twice.
fn seals() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set("[!-~]{1,32}", 0..=8).prop_map(|s| s.into_iter().collect())
}

/// A shipment one level down the chain (a supplier's to its own kab/kota
/// too), its times in order.
fn shipment() -> impl Strategy<Value = ShipmentStatement> {
    (
        tps(),
        0usize..4,
        proptest::collection::btree_map(item(), 1u64..=1_000_000, 1..=8),
        seals(),
        (time(), 0i64..1_000_000, time()),
    )
        .prop_map(
            |(tps, step, items, seals, (dispatched_at, due_in, signed_at))| {
                let levels = [Level::Kabkota, Level::Kecamatan, Level::Desa, Level::Tps];
                let to = tps.ancestor_at(levels[step]).unwrap();
                ShipmentStatement {
                    origin: ORIGIN.into(),
                    from: if step == 0 { to } else { to.parent().unwrap() },
                    to,
                    items,
                    seals,
                    dispatched_at,
                    due_at: dispatched_at.plus(due_in),
                    signed_at,
                }
            },
        )
}

/// A delivery, a reason exactly where something was rejected.
fn delivery() -> impl Strategy<Value = DeliveryStatement> {
    let received = (
        0u64..=1_000_000,
        0u64..=1_000_000,
        proptest::sample::select(RejectReason::ALL.to_vec()),
    )
        .prop_map(|(accepted, rejected, reason)| Received {
            accepted,
            rejected,
            reason: (rejected > 0).then_some(reason),
        });
    (
        0u64..1 << 53,
        proptest::collection::btree_map(item(), received, 1..=8),
        seals(),
        proptest::collection::vec(digest(), 0..=3),
        time(),
        time(),
    )
        .prop_map(
            |(shipment, items, seals_checked, photos, received_at, signed_at)| DeliveryStatement {
                origin: ORIGIN.into(),
                shipment,
                items,
                seals_checked,
                photos,
                received_at,
                signed_at,
            },
        )
}

/// Decoding gives back what was encoded, and re-encoding the decoded entry
/// gives the same bytes.
fn round_trips(entry: Entry) -> Result<(), TestCaseError> {
    let bytes = entry.encode();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    prop_assert_eq!(&saksi_log::canonical_json(&value).unwrap(), &bytes);
    let decoded = Entry::decode(&bytes).unwrap();
    prop_assert_eq!(&decoded.encode(), &bytes);
    prop_assert_eq!(decoded, entry);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn form_v1_entries_round_trip(
        statement in form_statement(),
        at in time(),
        role in proptest::sample::select(vec![Role::Kpps, Role::Pps, Role::Ppk]),
    ) {
        let region = match role {
            Role::Kpps => statement.tps,
            _ => statement.tps.parent().unwrap(),
        };
        round_trips(Entry::FormV1(FormEntryV1 {
            tps: statement.tps,
            contest: statement.contest,
            version: statement.version,
            prev: statement.prev,
            form_bytes: form_bytes(&statement.form).unwrap(),
            form: statement.form,
            role,
            region,
            submitted_at: at,
        }))?;
    }

    #[test]
    fn signed_form_entries_round_trip(statement in form_statement(), at in time(), seed in any::<[u8; 32]>()) {
        let kpps = Signer::from_seed(&format!("kpps-{}", statement.tps), &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::FormV2(logged(&value, &kpps, at.0)))?;
    }

    #[test]
    fn key_entries_round_trip(statement in key_statement(), at in time(), seed in any::<[u8; 32]>()) {
        let officer = Signer::from_seed("kpu-ri-root", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::KeyV1(logged(&value, &officer, at.0)))?;
    }

    #[test]
    fn objection_entries_round_trip(objection in objection(), at in time()) {
        let entry = ObjectionEntry { objection, logged_at: at };
        prop_assert_eq!(entry.encode().unwrap(), Entry::ObjectionV1(entry.clone()).encode());
        round_trips(Entry::ObjectionV1(entry))?;
    }

    #[test]
    fn ruling_entries_round_trip(statement in ruling(), at in time(), seed in any::<[u8; 32]>()) {
        let ppk = Signer::from_seed("ppk-31.71.01", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::RulingV1(logged(&value, &ppk, at.0)))?;
    }

    #[test]
    fn signoff_entries_round_trip(statement in signoff(), at in time(), seed in any::<[u8; 32]>()) {
        let commissioner = Signer::from_seed("ppk-32.73.01", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::SignoffV1(logged(&value, &commissioner, at.0)))?;
    }

    #[test]
    fn no_form_entries_round_trip(statement in no_form(), at in time(), seed in any::<[u8; 32]>()) {
        let ppk = Signer::from_seed("ppk-32.73.01", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::NoFormV1(logged(&value, &ppk, at.0)))?;
    }

    #[test]
    fn reopen_entries_round_trip(statement in reopen(), at in time(), seed in any::<[u8; 32]>()) {
        let commissioner = Signer::from_seed("kpu-kabkota-32.73", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::ReopenV1(logged(&value, &commissioner, at.0)))?;
    }

    #[test]
    fn shipment_entries_round_trip(statement in shipment(), at in time(), seed in any::<[u8; 32]>()) {
        let sender = Signer::from_seed(&format!("pps-{}", statement.from), &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::ShipmentV1(logged(&value, &sender, at.0)))?;
    }

    #[test]
    fn delivery_entries_round_trip(statement in delivery(), at in time(), seed in any::<[u8; 32]>()) {
        let receiver = Signer::from_seed("kpps-31.71.01.1001.001", &seed).unwrap();
        let value = Value::Object(statement.to_object());
        round_trips(Entry::DeliveryV1(logged(&value, &receiver, at.0)))?;
    }

    #[test]
    fn incident_events_round_trip(event in incident_event(), at in time()) {
        round_trips(Entry::IncidentV1(IncidentEntry { event, logged_at: at, signed: None }))?;
    }

    #[test]
    fn signed_incident_filings_round_trip(
        (statement, state) in incident_statement()
            .prop_flat_map(|s| { let region = s.region; (Just(s), incident_state(region)) }),
        at in time(),
        seed in any::<[u8; 32]>(),
    ) {
        let kpps = Signer::from_seed(&format!("kpps-{}", statement.region), &seed).unwrap();
        round_trips(Entry::IncidentV1(signed_filing(&statement, state, &kpps, at.0)))?;
    }
}
