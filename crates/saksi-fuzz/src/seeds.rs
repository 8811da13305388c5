//! Valid inputs of every format, built in code with the project's own
//! signers and encoders, so the mutator starts from what a KPPS app, an
//! officer, the log or the commission really produce: a signed C.Hasil
//! envelope (PPWP, DPR, DPD), a key registration and revocation, a
//! shipment and its delivery, their log
//! entries and an entry bundle, a signed checkpoint, key texts, the two
//! CSV lists and the log's query strings.
//!
//! Statements are built as JSON objects, not from the statement types, so
//! the seeds are what a client sends, member by member.

use saksi_core::form::FIELDS;
use saksi_core::time::UnixTime;
use saksi_log::{Checkpoint, Note, Signer, canonical_json};
use saksi_statement::{
    DeliveryStatement, Envelope, FormStatement, KeyStatement, RulingStatement, ShipmentStatement,
};
use serde_json::{Map, Value, json};

/// The log's origin in every seed.
pub const ORIGIN: &str = "saksi.localhost/log";

/// The TPS every seed statement is about.
const TPS: &str = "11.01.01.2001.001";

/// The KPPS device key that signs the seed forms.
pub fn kpps_signer() -> Signer {
    signer("kpps-11.01.01.2001.001", 7)
}

/// The log's key, which signs the seed checkpoints.
pub fn log_signer() -> Signer {
    signer(ORIGIN, 9)
}

fn signer(name: &str, seed: u8) -> Signer {
    Signer::from_seed(name, &[seed; 32]).unwrap_or_else(|e| panic!("seed key {name}: {e}"))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        other => panic!("a seed statement is an object, not {other}"),
    }
}

/// A form with every count field, or without the optional disabilitas
/// and surat suara sections, and `options` of its contest's shape.
fn form(options: Value, full: bool) -> Value {
    let mut form = Map::new();
    for (i, field) in FIELDS.into_iter().enumerate() {
        let optional = field.contains("disabilitas") || field.starts_with("surat_suara");
        if full || !optional {
            form.insert(field.into(), json!(i * 37 % 200));
        }
    }
    form.insert("options".into(), options);
    Value::Object(form)
}

/// Form statements: PPWP version 1, DPR version 2 (with `prev` and a
/// photo) and DPD, as a KPPS app builds them, and a PPK's correction.
pub fn form_statements() -> Vec<Map<String, Value>> {
    let statement = |contest: &str, version: u32, prev: Value, photos: Value, options: Value| {
        object(json!({
            "v": 1,
            "type": "form",
            "origin": ORIGIN,
            "tps": TPS,
            "contest": contest,
            "version": version,
            "prev": prev,
            "form": form(options, contest == "dpr"),
            "photos": photos,
            "signed_at": "2024-02-14T13:00:00Z",
        }))
    };
    vec![
        statement(
            "ppwp",
            1,
            Value::Null,
            json!([]),
            json!({"01": 30, "02": 50, "03": 20}),
        ),
        statement(
            "dpr",
            2,
            json!("ab".repeat(32)),
            json!(["0f".repeat(32)]),
            json!({
                "1": {"party": 10, "candidates": {"1": 20, "2": 30}},
                "5": {"party": 15, "candidates": {"3": 25}},
            }),
        ),
        statement("dpd", 1, Value::Null, json!([]), json!({"7": 60, "12": 40})),
        {
            let mut correction = statement(
                "ppwp",
                2,
                json!("cd".repeat(32)),
                json!([]),
                json!({"01": 29, "02": 51, "03": 20}),
            );
            correction.insert(
                "correction".into(),
                json!({"objection": 41, "reason": "dihitung ulang di pleno"}),
            );
            correction
        },
    ]
}

/// A PPK member's rulings on an objection, upheld and rejected.
pub fn ruling_statements() -> Vec<Map<String, Value>> {
    ["upheld", "rejected"]
        .into_iter()
        .map(|decision| {
            object(json!({
                "v": 1,
                "type": "ruling",
                "origin": ORIGIN,
                "objection": 41,
                "decision": decision,
                "reason": "C.Hasil plano dicocokkan di pleno",
                "signed_at": "2024-02-16T10:05:00Z",
            }))
        })
        .collect()
}

/// Key statements: a KPU Kab/Kota key registering a KPPS device key, and
/// revoking it.
pub fn key_statements() -> Vec<Map<String, Value>> {
    let key = kpps_signer().verifier().to_string();
    vec![
        object(json!({
            "v": 1,
            "type": "key",
            "action": "register",
            "origin": ORIGIN,
            "key": key,
            "role": "kpps",
            "region": TPS,
            "valid_from": "2024-02-01T00:00:00Z",
            "valid_until": "2024-03-01T00:00:00Z",
            "signed_at": "2024-02-01T08:00:00Z",
        })),
        object(json!({
            "v": 1,
            "type": "key",
            "action": "revoke",
            "origin": ORIGIN,
            "key": key,
            "signed_at": "2024-02-20T08:00:00Z",
        })),
    ]
}

/// A PPS shipping a TPS its kit, and the TPS's KPPS accepting it with one
/// damaged box of ballots.
pub fn logistics_statements() -> (Map<String, Value>, Map<String, Value>) {
    let shipment = object(json!({
        "v": 1,
        "type": "shipment",
        "origin": ORIGIN,
        "from": "11.01.01.2001",
        "to": TPS,
        "items": {"ballot-ppwp": 255, "box": 5, "ink": 2},
        "seals": ["KPU-0001", "KPU-0002"],
        "dispatched_at": "2024-02-10T08:00:00Z",
        "due_at": "2024-02-13T12:00:00Z",
        "signed_at": "2024-02-10T08:00:00Z",
    }));
    let delivery = object(json!({
        "v": 1,
        "type": "delivery",
        "origin": ORIGIN,
        "shipment": 41,
        "items": {
            "ballot-ppwp": {"accepted": 250, "rejected": 5, "reason": "damaged"},
            "box": {"accepted": 5, "rejected": 0},
            "ink": {"accepted": 2, "rejected": 0},
        },
        "seals_checked": ["KPU-0001"],
        "photos": ["0f".repeat(32)],
        "received_at": "2024-02-12T09:30:00Z",
        "signed_at": "2024-02-12T09:31:00Z",
    }));
    (shipment, delivery)
}

/// The KPU Kab/Kota key that signs the seed key statements.
fn kabkota_signer() -> Signer {
    signer("kpu-kabkota-11.01", 8)
}

/// Every seed statement signed: forms and the delivery by the KPPS key,
/// key statements by the KPU Kab/Kota key, rulings by a PPK key, the
/// shipment by a PPS key.
pub fn envelopes() -> Vec<Envelope> {
    let sign = |statement, by: &Signer| {
        Envelope::sign(statement, by).unwrap_or_else(|e| panic!("seed envelope: {e}"))
    };
    let kpps = kpps_signer();
    let kabkota = kabkota_signer();
    let (shipment, delivery) = logistics_statements();
    form_statements()
        .into_iter()
        .map(|s| sign(s, &kpps))
        .chain(key_statements().into_iter().map(|s| sign(s, &kabkota)))
        .chain(
            ruling_statements()
                .into_iter()
                .map(|s| sign(s, &signer("ppk-11.01.01", 9))),
        )
        .chain([
            sign(shipment, &signer("pps-11.01.01.2001", 10)),
            sign(delivery, &kpps),
        ])
        .collect()
}

/// Envelopes as POST bodies, compact and pretty-printed.
pub fn envelope_bodies() -> Vec<Vec<u8>> {
    envelopes()
        .iter()
        .flat_map(|e| {
            let value = e.to_value();
            [value.to_string().into_bytes(), pretty(&value)]
        })
        .collect()
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_else(|e| panic!("seed JSON: {e}"))
}

/// The statements' RFC 8785 bytes, as `decode_statement` reads them.
pub fn statement_bytes() -> Vec<Vec<u8>> {
    envelopes().into_iter().map(|e| e.canonical).collect()
}

/// The C.Hasil forms alone, as the form parser reads them.
pub fn forms() -> Vec<Vec<u8>> {
    form_statements()
        .into_iter()
        .filter_map(|s| s.get("form").map(pretty))
        .collect()
}

/// A `form` v1 entry of an old log, written by the canonical encoder.
fn form_v1_entry() -> Vec<u8> {
    let form = form(json!({"01": 30, "02": 50, "03": 20}), false);
    canonical_json(&json!({
        "contest": "ppwp",
        "form": form,
        "prev": null,
        "submitted_at": "2024-02-14T13:05:09Z",
        "submitted_by": {"region": "11.01.01.2001", "role": "pps"},
        "tps": TPS,
        "type": "form",
        "v": 1,
        "version": 1,
    }))
    .unwrap_or_else(|e| panic!("seed entry: {e}"))
}

/// An objection said in a plenary, as the server logs it.
fn objection_entry() -> Vec<u8> {
    canonical_json(&json!({
        "by": {"paslon": 1, "region": "11.01", "role": "saksi"},
        "contest": "ppwp",
        "fields": ["options.01", "suara_sah"],
        "logged_at": "2024-02-16T09:40:00Z",
        "text": "Suara paslon 01 di plano 29, bukan 30.",
        "tps": TPS,
        "type": "objection",
        "v": 1,
        "version": 1,
    }))
    .unwrap_or_else(|e| panic!("seed entry: {e}"))
}

/// Log entries of every kind: `form` v1, `form` v2 (a correction too),
/// `key` v1, `objection` v1, `ruling` v1, `shipment` v1 and `delivery`
/// v1.
pub fn entries() -> Vec<Vec<u8>> {
    let logged_at = UnixTime(1_707_915_909);
    let mut out = vec![form_v1_entry(), objection_entry()];
    for envelope in envelopes() {
        if let Ok(signed) = envelope.open::<FormStatement>() {
            out.push(signed.entry(logged_at));
        } else if let Ok(signed) = envelope.open::<KeyStatement>() {
            out.push(signed.entry(logged_at));
        } else if let Ok(signed) = envelope.open::<RulingStatement>() {
            out.push(signed.entry(logged_at));
        } else if let Ok(signed) = envelope.open::<ShipmentStatement>() {
            out.push(signed.entry(logged_at));
        } else if let Ok(signed) = envelope.open::<DeliveryStatement>() {
            out.push(signed.entry(logged_at));
        }
    }
    out
}

/// The entries, and the entries bundled as the tile endpoint serves them.
pub fn entries_and_bundles() -> Vec<Vec<u8>> {
    let entries = entries();
    let bundle = saksi_log::tiles::entry_bundle(entries.iter().map(Vec::as_slice))
        .unwrap_or_else(|| panic!("seed bundle"));
    let mut out = entries;
    out.push(bundle);
    out
}

/// JSON of every kind of value, canonical and not.
pub fn json_values() -> Vec<Vec<u8>> {
    let mut out = entries();
    out.extend(statement_bytes());
    out.push(
        r#"{"":[],"\u001f":"\"\\\b\f\n\r\t","a":{"b":[1,-2,true,false,null]},"é":"😀"}"#
            .as_bytes()
            .to_vec(),
    );
    out.push(br#"[9007199254740991,-9007199254740991,0,"\u0000"]"#.to_vec());
    out
}

/// Signed notes: a checkpoint signed by the log, and a note with two
/// signatures (one by a key the log does not know).
pub fn notes() -> Vec<Vec<u8>> {
    let log = log_signer();
    let root = [0x5a; 32];
    let checkpoint = Checkpoint::new(ORIGIN, 42, root)
        .sign(&log)
        .unwrap_or_else(|e| panic!("seed checkpoint: {e}"));
    let mut with_extension = Checkpoint::new(ORIGIN, 0, [0; 32]).body();
    with_extension.push_str("extension line\n");
    let cosigned = Note::sign(&with_extension, &[&log, &kpps_signer()])
        .unwrap_or_else(|e| panic!("seed note: {e}"))
        .format();
    vec![checkpoint.into_bytes(), cosigned.into_bytes()]
}

/// Key texts: verifier keys and a private key, as key files hold them.
pub fn keys() -> Vec<Vec<u8>> {
    let kpps = kpps_signer();
    vec![
        kpps.verifier().to_string().into_bytes(),
        log_signer().verifier().to_string().into_bytes(),
        kpps.to_private_key_string().into_bytes(),
        format!("{}\n", kabkota_signer().to_private_key_string()).into_bytes(),
    ]
}

/// The commission's desa list (`kpu2024_desa_tps.csv`'s format), with
/// quoted names and TPS at special locations.
pub fn desa_csv() -> Vec<Vec<u8>> {
    vec![
        b"kode_desa,kode_desa_dotted,desa_kelurahan,tps_no_max,tps_ext_from,tps_ext_to,tps_total
1101012001,11.01.01.2001,KEUDE BAKONGAN,3,,,3
1101012002,11.01.01.2002,\"LUBUK PAKAM I,II\",2,901,902,4
1101022001,11.01.02.2001,\"SOKA\"\"AN\",1,,,1
1201011001,12.01.01.1001,KOTA,3,,,3
"
        .to_vec(),
    ]
}

/// The Ministry's names list (`wilayah_kemendagri_2025.csv`'s format).
pub fn names_csv() -> Vec<Vec<u8>> {
    vec![
        b"kode,kode_compact,level,level_name,parent_kode,nama,desa_or_kelurahan
11,11,1,provinsi,,Aceh,
11.01,1101,2,kabupaten_kota,11,Kabupaten Aceh Selatan,
11.01.01,110101,3,kecamatan,11.01,Bakongan,
11.01.01.2001,1101012001,4,desa_kelurahan,11.01.01,Keude Bakongan,desa
11.01.01.2002,1101012002,4,desa_kelurahan,11.01.01,\"Lubuk Pakam I, II\",kelurahan
12,12,1,provinsi,,Sumatera Utara,
"
        .to_vec(),
    ]
}

/// Query strings of the log endpoints, and path segments the server
/// parses (region codes, contest ids, log indexes, dapil codes).
pub fn queries() -> Vec<Vec<u8>> {
    [
        "start=0&end=10",
        "start=%30&end=1%30&start=5",
        "index=5&size=10",
        "from=1&to=20",
        "11.01.01.2001.001",
        "11.01",
        "99",
        "ppwp",
        "dprd-kabkota",
        "31-02",
        "32.01-01",
        "18446744073709551615",
    ]
    .map(|q| q.as_bytes().to_vec())
    .to_vec()
}
