//! Measures a store at national scale: saving and loading a synthetic frame
//! of about 910,000 regions and 370,000 candidates, durable group commits of
//! form versions with their log entries, and the start-up scan of current
//! forms.
//!
//! `cargo run --release -p saksi-store --example nation [-- [--database URL]
//! VERSIONS [BATCH]]` (defaults: 1,000,000 versions in batches of 1,000; a
//! tenth are corrections). Without `--database` the SQLite database goes to
//! a temporary directory, removed after; with it, the PostgreSQL database
//! at URL is used, which must be empty and is left as written.

use std::time::Instant;

use saksi_core::{
    Candidate, Contest, Dapil, DapilCode, Dpt, Election, Party, Paslon, RegionCode, RegionInput,
    RegionTree,
};
use saksi_store::{
    Batch, LogEntry, PgStore, RequestKey, SqliteStore, Store, StoredVersion, UnixTime,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut database = None;
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--database" {
            database = Some(args.next().ok_or("--database needs a URL")?);
        } else {
            positional.push(arg);
        }
    }
    let mut positional = positional.into_iter();
    let versions: u64 = positional.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let batch_size: u64 = positional.next().map_or(Ok(1_000), |a| a.parse())?;

    let started = Instant::now();
    let election = synthetic_nation()?;
    let candidates: usize = election.dapil.iter().map(|d| d.candidates.len()).sum();
    println!(
        "built {} regions, {} dapil, {} candidates in {:.2?}",
        election.tree.len(),
        election.dapil.len(),
        candidates,
        started.elapsed()
    );

    let dir = tempfile::tempdir()?;
    let store: Box<dyn Store> = match &database {
        Some(url) => Box::new(PgStore::connect(url)?),
        None => Box::new(SqliteStore::open(dir.path().join("saksi.db"))?),
    };
    let started = Instant::now();
    store.save_election(&election, &|_, _| {})?;
    println!("save_election: {:.2?}", started.elapsed());
    let started = Instant::now();
    let loaded = store.require_election()?;
    println!(
        "load_election: {:.2?} ({} regions)",
        started.elapsed(),
        loaded.tree.len()
    );

    let tps: Vec<RegionCode> = loaded
        .tree
        .iter()
        .map(|(_, r)| r.code)
        .filter(|c| c.level() == saksi_core::Level::Tps)
        .collect();
    let form_json = format!(
        "{{\"pengguna_total_j\":200,\"options\":{}}}",
        "1".repeat(300)
    );
    let started = Instant::now();
    let mut log_index = 0;
    while log_index < versions {
        let end = (log_index + batch_size).min(versions);
        let batch = Batch {
            versions: (log_index..end)
                .map(|i| version(&tps, i, &form_json))
                .collect(),
            // Each version's log entry, as the sequencer writes them (the
            // store treats the bytes and the hash as opaque).
            entries: (log_index..end)
                .map(|index| LogEntry {
                    index,
                    data: form_json.as_bytes().to_vec(),
                    leaf_hash: [0; 32],
                })
                .collect(),
            ..Default::default()
        };
        store.commit_batch(&batch)?;
        log_index = end;
    }
    let elapsed = started.elapsed();
    println!(
        "commit_batch: {versions} versions and entries in batches of {batch_size}: {elapsed:.2?} ({:.0} versions/s)",
        versions as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let size = store.log_size()?;
    println!("log_size = {size}: {:.2?}", started.elapsed());
    let started = Instant::now();
    let mut current = 0u64;
    store.for_each_current_form(&mut |_| current += 1)?;
    println!(
        "for_each_current_form: {current} current forms in {:.2?}",
        started.elapsed()
    );
    Ok(())
}

/// Version `i` of the sequence: forms go round the TPS and the five
/// contests (one slot each); every tenth is a correction of a form written
/// a few slots before.
fn version(tps: &[RegionCode], i: u64, form_json: &str) -> StoredVersion {
    let correction = i % 10 == 9;
    let slot = if correction {
        i - i / 10 - 5
    } else {
        i - i / 10
    };
    let rounds = tps.len() as u64 * 5;
    StoredVersion {
        tps: tps[(slot / 5 % tps.len() as u64) as usize],
        contest: Contest::ALL[(slot % 5) as usize],
        version: (slot / rounds) as u32 + 1 + u32::from(correction),
        log_index: i,
        form_json: form_json.to_owned(),
        warnings_json: "[]".to_owned(),
        submitted_by: format!("user:{}", slot / 5),
        submitted_at: UnixTime(1_707_800_000),
        request: Some(RequestKey {
            key: format!("{i:016x}"),
            request_hash: vec![0; 32],
        }),
    }
}

/// 38 provinces of 14 kab/kota of 14 kecamatan of 11 desa of 10 TPS, with
/// dapil and candidate lists of about the national sizes.
fn synthetic_nation() -> Result<Election, Box<dyn std::error::Error>> {
    let mut inputs = Vec::new();
    let mut dapil = Vec::new();
    let parties: Vec<u8> = (1..=18).collect();
    let list = |dapil_parties: &[u8], per_party: u16| -> Vec<Candidate> {
        dapil_parties
            .iter()
            .flat_map(|p| {
                (1..=per_party).map(move |n| Candidate {
                    party: Some(*p),
                    number: n,
                    name: format!("Calon {p}.{n}"),
                })
            })
            .collect()
    };
    let mut add = |code: RegionCode, dpt: Dpt| {
        inputs.push(RegionInput {
            code,
            name: format!("Wilayah {code}"),
            dpt,
        });
    };
    for p in 0..38 {
        let prov = RegionCode::NASIONAL.child(11 + p).ok_or("province")?;
        add(prov, Dpt::default());
        let mut kabs = Vec::new();
        for k in 1..=14 {
            let kab = prov.child(k).ok_or("kab")?;
            kabs.push(kab);
            add(kab, Dpt::default());
            let mut kecs = Vec::new();
            for c in 1..=14 {
                let kec = kab.child(c).ok_or("kec")?;
                kecs.push(kec);
                add(kec, Dpt::default());
                for d in 1..=11 {
                    let desa = kec.child(2000 + d).ok_or("desa")?;
                    add(desa, Dpt::default());
                    for t in 1..=10 {
                        add(desa.child(t).ok_or("tps")?, Dpt { l: 120, p: 125 });
                    }
                }
            }
            for (i, group) in kecs.chunks(3).enumerate() {
                dapil.push(Dapil {
                    contest: Contest::DprdKabkota,
                    code: DapilCode::parse(&format!("{kab}-{:02}", i + 1))?,
                    name: format!("Dapil {kab} {}", i + 1),
                    seats: 10,
                    regions: group.to_vec(),
                    parties: parties.clone(),
                    candidates: list(&parties, 7),
                });
            }
            dapil.push(Dapil {
                contest: Contest::DprdProv,
                code: DapilCode::parse(&format!("{prov}-{k:02}"))?,
                name: format!("Dapil {kab}"),
                seats: 3,
                regions: vec![kab],
                parties: parties.clone(),
                candidates: list(&parties, 3),
            });
        }
        dapil.push(Dapil {
            contest: Contest::Dpr,
            code: DapilCode::parse(&format!("{prov}-01"))?,
            name: format!("Dapil {prov}"),
            seats: 8,
            regions: kabs,
            parties: parties.clone(),
            candidates: list(&parties, 8),
        });
        dapil.push(Dapil {
            contest: Contest::Dpd,
            code: DapilCode::parse(&prov.to_string())?,
            name: format!("Provinsi {prov}"),
            seats: 4,
            regions: vec![prov],
            parties: Vec::new(),
            candidates: (1..=20)
                .map(|n| Candidate {
                    party: None,
                    number: n,
                    name: format!("Calon DPD {n}"),
                })
                .collect(),
        });
    }
    let tree = RegionTree::build("Indonesia", inputs)?;
    let parties = parties
        .iter()
        .map(|n| Party {
            number: *n,
            name: format!("Partai {n}"),
            local: false,
        })
        .collect();
    let paslon = (1..=3)
        .map(|n| Paslon {
            number: n,
            name: format!("Paslon {n}"),
        })
        .collect();
    Ok(Election::new(tree, parties, paslon, dapil)?)
}
