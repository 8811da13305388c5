//! The simulated officers' and KPPS devices' keys: one
//! `kpu-prov` key per province, one `kpu-kabkota` key per kab/kota and one
//! `kpps` key per TPS, registered through `POST /api/v1/keys` along the
//! real chain from the demo's KPU RI root key, so that simulated forms are
//! signed exactly as a field app signs them; and, for the demo's recap,
//! the commissioners' keys of every recap level (`ppk`, `kpu-kabkota`,
//! `kpu-prov`, `kpu-ri`), as many per region as the level's quorum; and,
//! for the demo's logistics, the offices' keys the chain lacks
//! ([`OfficeKeys`]: a supplier per kab/kota, a PPK per kecamatan, a PPS per
//! desa).
//!
//! Everything is derived from the root key's private text (which only a
//! demo data directory holds): the keys, their registrations and the form
//! statements come out byte for byte the same on every run, so a second
//! run against the same server is a retry that gets the first answers,
//! never a conflict.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use saksi_api::{BulkItem, BulkResults, ErrorBody, KeyAccepted};
use saksi_core::form::CHasil;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Election, Level, RegionCode, RegionId};
use saksi_log::{Signer, Verifier};
use saksi_statement::recap::Quorum;
use saksi_statement::{
    Envelope, FormStatement, IncidentId, IncidentStatement, KeyAction, KeyRole, KeyStatement,
    Private,
};
use sha2::{Digest, Sha256};

use crate::client::Client;
use crate::support::data_dir::create_new_file;
use crate::support::progress;

/// When the simulated registrations were signed and from when the keys
/// are valid: 2024-01-01T00:00:00Z.
const VALID_FROM: UnixTime = UnixTime(1_704_067_200);

/// Until when the simulated keys are valid: 2100-01-01T00:00:00Z, so a
/// demo keeps working whatever the machine's date.
const VALID_UNTIL: UnixTime = UnixTime(4_102_444_800);

/// When a simulated KPPS signs the first version of a form (election day,
/// 15:00 WIB); a correction is signed an hour per version later.
const FORM_SIGNED_AT: UnixTime = UnixTime(1_707_897_600);

/// Statements per bulk registration request (the server's limit).
const BULK: usize = 1000;

/// Concurrent registration requests.
const CONNECTIONS: usize = 4;

/// How long one bulk registration may take: a thousand statements, each
/// checked and logged, on a server that may be busy with submissions.
const BULK_TIMEOUT: Duration = Duration::from_secs(120);

/// The simulated keys of an election.
pub struct DemoKeys {
    origin: String,
    root: Signer,
    provinces: Vec<(RegionCode, Signer)>,
    kabkota: Vec<(RegionCode, Signer)>,
    kpps: HashMap<RegionId, Signer>,
    /// The commissioners' keys by region, once added.
    commissioners: HashMap<RegionCode, Vec<Signer>>,
}

/// What registering did.
#[derive(Debug, Default, Clone)]
pub struct Registered {
    pub new: usize,
    /// Keys the server had already (an earlier run).
    pub already: usize,
    /// The server's answer to each registration it acknowledged (new or
    /// replayed), with its receipt: `loadgen --receipts` writes them, so
    /// that key registrations are proven kept like forms.
    pub acknowledged: Vec<KeyAccepted>,
}

impl Registered {
    fn add(&mut self, other: Registered) {
        self.new += other.new;
        self.already += other.already;
        self.acknowledged.extend(other.acknowledged);
    }
}

/// The keys of the logistics chain's offices that the forms do not need:
/// a `supplier` key per kab/kota (its printer's warehouse), a `ppk` key
/// per kecamatan and a `pps` key per desa, each registered by the demo's
/// kab/kota officer above it (named `supplier-<code>`, `ppk-<code>`,
/// `pps-<code>`: posts, not persons). The kab/kota's own warehouse signs
/// with the demo's `kpu-kabkota` key, a TPS with its KPPS device key.
pub struct OfficeKeys {
    suppliers: HashMap<RegionCode, Signer>,
    /// By the office's region: a kecamatan's PPK, a desa's PPS.
    offices: HashMap<RegionCode, Signer>,
}

impl OfficeKeys {
    /// The supplier key registered for a kab/kota.
    pub fn supplier(&self, kabkota: RegionCode) -> Option<&Signer> {
        self.suppliers.get(&kabkota)
    }

    /// The `ppk` key of a kecamatan or the `pps` key of a desa.
    pub fn office(&self, region: RegionCode) -> Option<&Signer> {
        self.offices.get(&region)
    }

    /// Every key with its role and region, suppliers first, each in code
    /// order (so a restarted demo registers the same bytes in the same
    /// order).
    fn each(&self) -> Vec<(KeyRole, RegionCode, &Signer)> {
        let mut suppliers: Vec<_> = self.suppliers.iter().collect();
        suppliers.sort_unstable_by_key(|(code, _)| **code);
        let mut offices: Vec<_> = self.offices.iter().collect();
        offices.sort_unstable_by_key(|(code, _)| **code);
        let suppliers = suppliers
            .into_iter()
            .map(|(code, key)| (KeyRole::Supplier, *code, key));
        let offices = offices
            .into_iter()
            .filter_map(|(code, key)| KeyRole::office(code.level()).map(|role| (role, *code, key)));
        suppliers.chain(offices).collect()
    }
}

impl DemoKeys {
    /// Derives the keys of every TPS of `election` (and their officers),
    /// spread over the machine's cores.
    pub fn derive(root: Signer, origin: &str, election: &Election) -> DemoKeys {
        let base = root.to_private_key_string();
        let upper = |level: Level| -> Vec<(RegionCode, Signer)> {
            election
                .tree
                .iter()
                .filter(|(_, r)| r.level() == level)
                .map(|(_, r)| {
                    let name = officer_name(level, r.code);
                    (r.code, derive(&base, &name))
                })
                .collect()
        };
        let provinces = upper(Level::Provinsi);
        let kabkota = upper(Level::Kabkota);
        let tps: Vec<(RegionId, RegionCode)> = election
            .tree
            .tps_ids()
            .map(|id| (id, election.tree.get(id).code))
            .collect();
        let kpps = parallel(&tps, |(id, code)| (*id, derive(&base, &kpps_name(*code))))
            .into_iter()
            .collect();
        DemoKeys {
            origin: origin.to_owned(),
            root,
            provinces,
            kabkota,
            kpps,
            commissioners: HashMap::new(),
        }
    }

    /// Adds the commissioners of every region of a recap level, as many
    /// as `quorum` asks of the level, so the demo's simulated recap can
    /// make each sign-off final (named `ppk-<code>-<n>`, `kpu-ri-<n>`:
    /// the log shows posts, never persons).
    pub fn add_commissioners(&mut self, election: &Election, quorum: &Quorum) {
        let base = self.root.to_private_key_string();
        let regions: Vec<(RegionCode, usize)> = election
            .tree
            .iter()
            .filter_map(|(_, r)| {
                let level = r.level();
                commissioner_role(level).map(|_| (r.code, quorum.of(level)))
            })
            .collect();
        self.commissioners = parallel(&regions, |(code, k)| {
            let role = commissioner_role(code.level()).expect("a recap level");
            let keys = (1..=*k)
                .map(|n| derive(&base, &commissioner_name(role, *code, n)))
                .collect();
            (*code, keys)
        })
        .into_iter()
        .collect();
    }

    /// The commissioners' keys of a region ([`DemoKeys::add_commissioners`]).
    pub fn commissioners(&self, region: RegionCode) -> &[Signer] {
        self.commissioners.get(&region).map_or(&[], Vec::as_slice)
    }

    /// The device key of a TPS.
    pub fn kpps(&self, tps: RegionId) -> Option<&Signer> {
        self.kpps.get(&tps)
    }

    /// The demo's `kpu-kabkota` officer key of a kab/kota, which signs
    /// for its warehouse.
    pub fn kabkota(&self, code: RegionCode) -> Option<&Signer> {
        self.kabkota
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, k)| k)
    }

    /// Derives the logistics offices' keys of `election`
    /// ([`OfficeKeys`]), spread over the machine's cores.
    pub fn office_keys(&self, election: &Election) -> OfficeKeys {
        let base = self.root.to_private_key_string();
        let regions: Vec<(KeyRole, RegionCode)> = election
            .tree
            .iter()
            .filter_map(|(_, r)| {
                let role = match r.level() {
                    Level::Kabkota => KeyRole::Supplier,
                    Level::Kecamatan => KeyRole::Ppk,
                    Level::Desa => KeyRole::Pps,
                    _ => return None,
                };
                Some((role, r.code))
            })
            .collect();
        let keys = parallel(&regions, |(role, code)| {
            (
                *role,
                *code,
                derive(&base, &format!("{}-{code}", role.id())),
            )
        });
        let mut office_keys = OfficeKeys {
            suppliers: HashMap::new(),
            offices: HashMap::new(),
        };
        for (role, code, key) in keys {
            match role {
                KeyRole::Supplier => office_keys.suppliers.insert(code, key),
                _ => office_keys.offices.insert(code, key),
            };
        }
        office_keys
    }

    /// Registers `keys` with the server of `client`, each signed by the
    /// demo's kab/kota officer above it (registered already); a key the
    /// server holds counts as registered.
    pub async fn register_offices(&self, keys: &OfficeKeys, client: &Client) -> Result<Registered> {
        let envelopes = keys
            .each()
            .into_iter()
            .map(|(role, code, key)| {
                let by = self.certifier(role, code)?;
                self.registration(key, role, code, by)
            })
            .collect::<Result<Vec<_>>>()?;
        post_bulk(&client.with_timeout(BULK_TIMEOUT), envelopes, &|_| {}).await
    }

    /// The log origin the statements name.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// [`DemoKeys::register`] behind a progress bar, then one line saying
    /// how many `what` were registered and how many already were.
    pub async fn register_showing(
        &self,
        election: &Election,
        client: &Client,
        what: &str,
    ) -> Result<Registered> {
        let started = std::time::Instant::now();
        let bar = progress::bar("registering keys", election.tree.len() as u64, "keys");
        let registered = self
            .register(election, client, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "registered {} {what} in {:.1} s ({} already registered)",
            registered.new,
            started.elapsed().as_secs_f64(),
            registered.already
        );
        Ok(registered)
    }

    /// Registers every key with the server of `client`, parents before
    /// children; `progress(done, total)` after each request.
    pub async fn register(
        &self,
        election: &Election,
        client: &Client,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Registered> {
        let phases = self.registrations(election)?;
        let total = phases.iter().map(Vec::len).sum::<usize>() as u64;
        let client = client.with_timeout(BULK_TIMEOUT);
        let mut done = Registered::default();
        for phase in phases {
            let before = (done.new + done.already) as u64;
            let counted = post_bulk(&client, phase, &|n| progress(before + n, total)).await?;
            done.add(counted);
        }
        Ok(done)
    }

    /// Every registration envelope (JSON bytes), in phases a server takes
    /// one after the other, parents before children: the kpu-prov keys,
    /// the kpu-kabkota keys, the KPPS devices' keys, the commissioners'.
    /// What [`DemoKeys::register`] posts, and what the national fixture
    /// logs in-process.
    pub fn registrations(&self, election: &Election) -> Result<Vec<Vec<Vec<u8>>>> {
        let provinces: Vec<Vec<u8>> = self
            .provinces
            .iter()
            .map(|(code, key)| self.registration(key, KeyRole::KpuProv, *code, &self.root))
            .collect::<Result<_>>()?;
        let kabkota: Vec<Vec<u8>> = self
            .kabkota
            .iter()
            .map(|(code, key)| {
                let by = self.certifier(KeyRole::KpuKabkota, *code)?;
                self.registration(key, KeyRole::KpuKabkota, *code, by)
            })
            .collect::<Result<_>>()?;
        let by_kab: HashMap<RegionCode, &Signer> =
            self.kabkota.iter().map(|(c, k)| (*c, k)).collect();
        // In the tree's order, so that the log of a fixture is the same
        // on every run.
        let tps: Vec<(RegionCode, &Signer)> = election
            .tree
            .tps_ids()
            .filter_map(|id| Some((election.tree.get(id).code, self.kpps.get(&id)?)))
            .collect();
        let devices = parallel(&tps, |(code, key)| {
            let by = code
                .ancestor_at(Level::Kabkota)
                .and_then(|k| by_kab.get(&k))
                .with_context(|| format!("no kab/kota key above {code}"))?;
            self.registration(key, KeyRole::Kpps, *code, by)
        })
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
        let mut regions: Vec<(&RegionCode, &Vec<Signer>)> = self.commissioners.iter().collect();
        regions.sort_unstable_by_key(|(code, _)| **code);
        let commissioners = regions
            .into_iter()
            .flat_map(|(code, keys)| keys.iter().map(move |key| (*code, key)))
            .map(|(code, key)| {
                let role = commissioner_role(code.level()).expect("a recap level");
                let by = self.certifier(role, code)?;
                self.registration_of(key.verifier(), role, code, by, true)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(vec![provinces, kabkota, devices, commissioners])
    }

    /// The registration of an officer's key made in a browser, signed by
    /// the demo's simulated officer above it: the root key for a kpu-ri or
    /// kpu-prov key, the province's kpu-prov key for a kpu-kabkota key, the kab/kota's
    /// kpu-kabkota key for a pps, ppk or kpps key. A key of a role whose
    /// members sign off (ppk and the KPU's) is a commissioner's, so the
    /// demo's PPK can confirm a sign-off from the review screen. As JSON
    /// bytes.
    pub fn certification(&self, key: &str, role: KeyRole, region: RegionCode) -> Result<Vec<u8>> {
        let verifier =
            Verifier::parse(key).with_context(|| format!("{key:?} is no verifier key"))?;
        let by = self.certifier(role, region)?;
        self.registration_of(verifier, role, region, by, role.may_be_commissioner())
    }

    /// The demo's simulated officer who registers keys of `role` in
    /// `region`.
    fn certifier(&self, role: KeyRole, region: RegionCode) -> Result<&Signer> {
        match role {
            KeyRole::KpuRi | KeyRole::KpuProv => Ok(&self.root),
            KeyRole::KpuKabkota => officer_above(&self.provinces, region, Level::Provinsi),
            KeyRole::Kpps | KeyRole::Pps | KeyRole::Ppk | KeyRole::Supplier => {
                officer_above(&self.kabkota, region, Level::Kabkota)
            }
        }
    }

    /// One registration envelope, as JSON bytes.
    fn registration(
        &self,
        key: &Signer,
        role: KeyRole,
        region: RegionCode,
        by: &Signer,
    ) -> Result<Vec<u8>> {
        self.registration_of(key.verifier(), role, region, by, false)
    }

    /// The registration of `key`, as JSON bytes; a `commissioner`'s key
    /// counts towards its region's sign-off quorum.
    fn registration_of(
        &self,
        key: Verifier,
        role: KeyRole,
        region: RegionCode,
        by: &Signer,
        commissioner: bool,
    ) -> Result<Vec<u8>> {
        let statement = KeyStatement {
            origin: self.origin.clone(),
            key,
            action: KeyAction::Register {
                role,
                region,
                valid_from: VALID_FROM,
                valid_until: VALID_UNTIL,
                commissioner,
            },
            signed_at: VALID_FROM,
        };
        let envelope = Envelope::sign(statement.to_object(), by)?;
        Ok(envelope.to_value().to_string().into_bytes())
    }

    /// Writes each TPS's device key to `dir/<tps code>.key` and each
    /// kab/kota officer's key to `dir/kpu-kabkota-<code>.key` (mode 0600),
    /// skipping files already there; returns how many it wrote. The
    /// officers' keys are what a lost phone needs: revoking the old device
    /// key and registering the new one are signed by the kab/kota officer.
    pub fn write_files(&self, election: &Election, dir: &Path) -> Result<usize> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let devices = self
            .kpps
            .iter()
            .map(|(id, key)| (election.tree.get(*id).code.to_string(), key));
        let officers = self
            .kabkota
            .iter()
            .map(|(code, key)| (officer_name(Level::Kabkota, *code), key));
        let files: Vec<(String, &Signer)> = devices.chain(officers).collect();
        let part = files.len().div_ceil(FILE_WRITERS).max(1);
        std::thread::scope(|scope| {
            let writers: Vec<_> = files
                .chunks(part)
                .map(|part| scope.spawn(move || write_key_files(dir, part)))
                .collect();
            writers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a key file writer panicked")))
                })
                .sum()
        })
    }
}

/// Key files written at once: each is created and fsynced on its own,
/// which waits on the disk, not the cores, so many writers share the wait
/// (the whole nation's 0.8 million files one after the other take a
/// quarter of an hour on a disk with a millisecond's fsync).
const FILE_WRITERS: usize = 16;

/// Writes each key of `files` to `dir/<name>.key` (mode 0600), skipping
/// files already there; returns how many it wrote.
fn write_key_files(dir: &Path, files: &[(String, &Signer)]) -> Result<usize> {
    let mut written = 0;
    for (name, key) in files {
        let path = dir.join(format!("{name}.key"));
        let text = format!("{}\n", key.to_private_key_string());
        match create_new_file(&path, &text, 0o600) {
            Ok(()) => written += 1,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
        }
    }
    Ok(written)
}

/// A form statement signed by a simulated KPPS: the POST body and the
/// statement's digest (the next version's `prev`).
pub fn sign_form(
    key: &Signer,
    origin: &str,
    tps: RegionCode,
    contest: Contest,
    version: u32,
    prev: Option<[u8; 32]>,
    form: CHasil,
) -> Result<(Vec<u8>, [u8; 32])> {
    seal_form(
        &FormStatement {
            origin: origin.to_owned(),
            tps,
            contest,
            version,
            prev,
            form,
            photos: vec![],
            signed_at: form_signed_at(version),
            on_behalf: None,
            correction: None,
        },
        key,
    )
}

/// When a simulated form's `version` is signed: the first on election
/// day at 15:00 WIB, each later one an hour after the one before, so a
/// restarted demo signs the very same bytes.
pub fn form_signed_at(version: u32) -> UnixTime {
    FORM_SIGNED_AT.plus(3600 * i64::from(version.saturating_sub(1)))
}

/// `statement` signed with `key`: the POST body and the statement's
/// digest.
pub fn seal_form(statement: &FormStatement, key: &Signer) -> Result<(Vec<u8>, [u8; 32])> {
    let envelope = Envelope::sign(statement.to_object(), key)?;
    Ok((
        envelope.to_value().to_string().into_bytes(),
        envelope.statement_sha256(),
    ))
}

/// A KPPS device's signed incident report at its TPS, as the KPPS app
/// sends it (`POST /api/v1/incidents`): the envelope of the `incident`
/// statement with `private` (the salt and `content`, `{"title",
/// "description"}`) beside it, and the incident's id. The salt is fresh
/// and random, as a device's is, so no two reports share an id.
pub struct IncidentReport<'a> {
    pub tps: RegionCode,
    pub category: saksi_core::incident::Category,
    pub severity: saksi_core::incident::Severity,
    pub contests: Vec<Contest>,
    pub content: &'a serde_json::Value,
}

impl IncidentReport<'_> {
    /// The POST body `key` signs for the log `origin` at `signed_at`, and
    /// the incident's id.
    pub fn seal(
        self,
        key: &Signer,
        origin: &str,
        signed_at: UnixTime,
    ) -> Result<(Vec<u8>, IncidentId)> {
        let private = Private::seal(self.content);
        let statement = IncidentStatement {
            region: self.tps,
            category: self.category,
            severity: self.severity,
            contests: self.contests,
            content_sha256: private.commitment(),
            origin: origin.to_owned(),
            signed_at,
        };
        let object = serde_json::from_slice(&statement.canonical())
            .context("an incident statement is a JSON object")?;
        let mut envelope = Envelope::sign(object, key)?.to_value();
        envelope["private"] =
            serde_json::json!({"salt": hex::encode(private.salt), "content": self.content});
        Ok((envelope.to_string().into_bytes(), statement.id()))
    }
}

/// The key among `keys` of `region`'s ancestor at `level`.
fn officer_above(
    keys: &[(RegionCode, Signer)],
    region: RegionCode,
    level: Level,
) -> Result<&Signer> {
    let wanted = region.ancestor_at(level);
    keys.iter()
        .find(|(c, _)| Some(*c) == wanted)
        .map(|(_, k)| k)
        .with_context(|| format!("the demo has no officer's key above {region}"))
}

fn officer_name(level: Level, code: RegionCode) -> String {
    match level {
        Level::Provinsi => format!("kpu-prov-{code}"),
        _ => format!("kpu-kabkota-{code}"),
    }
}

/// The key role of a recap level's commissioners; `None` below the
/// kecamatan, where nobody signs off.
pub fn commissioner_role(level: Level) -> Option<KeyRole> {
    KeyRole::ALL
        .into_iter()
        .find(|r| r.level() == level && r.may_be_commissioner())
}

/// `ppk-11.01.01-2`, `kpu-ri-1`: the `n`th commissioner of a region.
fn commissioner_name(role: KeyRole, code: RegionCode, n: usize) -> String {
    if code == RegionCode::NASIONAL {
        format!("{}-{n}", role.id())
    } else {
        format!("{}-{code}-{n}", role.id())
    }
}

fn kpps_name(code: RegionCode) -> String {
    format!("kpps-{code}")
}

/// A key derived from the root's private text and a name.
fn derive(base: &str, name: &str) -> Signer {
    let mut h = Sha256::new();
    h.update(b"saksi/demo-key/v1\n");
    h.update(base.as_bytes());
    h.update(b"\n");
    h.update(name.as_bytes());
    Signer::from_seed(name, &h.finalize().into()).expect("derived names are valid key names")
}

/// `f` over `items`, split over the machine's cores, in order (key
/// derivation here, drawing and signing the load generator's corpus).
pub(crate) fn parallel<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("the work of a core does not panic"))
            .collect()
    })
}

/// How often a statement the server shed (503, its queue full) is sent
/// again before registering gives up.
const SHED_RETRIES: u32 = 30;

/// Registers one bulk request's statements, sending again those the
/// server shed while its queue was full.
async fn register_chunk(
    client: &Client,
    chunk: &[Vec<u8>],
    counted: &mut Registered,
) -> Result<()> {
    let mut pending: Vec<&Vec<u8>> = chunk.iter().collect();
    for attempt in 0..=SHED_RETRIES {
        let mut body = b"{\"statements\":[".to_vec();
        for (i, e) in pending.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(e);
        }
        body.extend_from_slice(b"]}");
        let answer = client
            .post_json("/api/v1/keys", body)
            .await
            .context("cannot register the simulated keys")?;
        if answer.status != 200 {
            let error = serde_json::from_slice::<ErrorBody>(&answer.body)
                .map(|b| serde_json::to_string(&b.error).unwrap_or_default())
                .unwrap_or_else(|_| "null".to_owned());
            bail!(
                "the server refused the simulated keys ({}): {error}",
                answer.status,
            );
        }
        let results = serde_json::from_slice::<BulkResults>(&answer.body)
            .map(|r| r.results)
            .unwrap_or_default();
        let mut shed = Vec::new();
        for (envelope, result) in pending.iter().zip(&results) {
            match result {
                BulkItem::Accepted {
                    status: 201,
                    replayed,
                    body,
                } => {
                    if *replayed {
                        counted.already += 1;
                    } else {
                        counted.new += 1;
                    }
                    counted.acknowledged.push(body.clone());
                }
                BulkItem::Refused { error, .. } if error.code == "key.already_registered" => {
                    counted.already += 1
                }
                BulkItem::Refused { status: 503, .. } if attempt < SHED_RETRIES => {
                    shed.push(*envelope)
                }
                _ => bail!(
                    "the server refused a simulated key: {}",
                    serde_json::to_string(result).unwrap_or_default()
                ),
            }
        }
        if shed.is_empty() {
            return Ok(());
        }
        pending = shed;
        tokio::time::sleep(std::time::Duration::from_millis(100 << attempt.min(4))).await;
    }
    Ok(())
}

/// Posts envelopes in bulk requests over a few connections; a key the
/// server already holds counts as registered.
async fn post_bulk(
    client: &Client,
    envelopes: Vec<Vec<u8>>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Registered> {
    let chunks: Vec<&[Vec<u8>]> = envelopes.chunks(BULK).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::atomic::AtomicU64::new(0);
    let results = futures_util::future::join_all((0..CONNECTIONS).map(|_| async {
        let mut counted = Registered::default();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else { break };
            register_chunk(client, chunk, &mut counted).await?;
            let n = done.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
            progress(n + chunk.len() as u64);
        }
        Ok::<_, anyhow::Error>(counted)
    }))
    .await;
    let mut total = Registered::default();
    for r in results {
        total.add(r?);
    }
    Ok(total)
}
