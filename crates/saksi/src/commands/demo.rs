//! `saksi demo`: the quick start in one process. A fresh data directory
//! with a generated election, printed demo accounts, the server and web
//! page on localhost, and simulated TPS submissions so results move.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use saksi_api::IssuedCode;
use saksi_core::incident::Deadlines;
use saksi_core::logistics::PollingDay;
use saksi_core::permission::Role;
use saksi_core::{Election, Level, RegionCode};
use saksi_server::auth::totp;
use saksi_server::auth::totp_key::TotpKey;
use saksi_server::workspace::enrolment;
use saksi_sim::generate::{GenerateOptions, generate};
use saksi_store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::demo_incidents::{IncidentSimulation, Officers};
use super::demo_logistics::LogisticsSimulation;
use super::demo_officers as officers;
use super::demo_recap::RecapSimulation;
use super::demo_users as users;
use super::init::GenerateArgs;
use super::serve::{ListenArg, MetricsArg, acquire_lease, bind, load};
use super::simulate::simulation::{self as simulate, Simulation};
use crate::client::Client;
use crate::client::demo_keys::DemoKeys;
use crate::support::args::{DatabaseArg, OriginArg, parse_rate};
use crate::support::data_dir::DataDir;
use crate::support::setup;
use crate::support::{open_store, runtime, shutdown_signal};

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub listen: ListenArg,
    #[command(flatten)]
    pub metrics: MetricsArg,
    /// Data directory; a fresh one under the system's temporary directory
    /// if not given. A directory from an earlier demo is served as it is.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[command(flatten)]
    pub origin: OriginArg,
    /// Simulated submissions per second; 0 generates the election without
    /// streaming submissions.
    #[arg(long, env = "SAKSI_RATE", default_value_t = 50.0, value_parser = parse_rate)]
    pub rate: f64,
    /// Mean seconds between two incidents filed by simulated KPPS devices
    /// (each drawn between half and one and a half of it) and handled by
    /// simulated KPU officers; 0 files none. With `--rate 0` nothing is
    /// simulated, incidents neither.
    #[arg(long, env = "SAKSI_INCIDENTS_EVERY", value_name = "SECONDS", default_value_t = 15.0, value_parser = parse_every)]
    pub incidents_every: f64,
    /// Do not simulate the recap. By default, as each kecamatan's forms
    /// are in, simulated witnesses object, PPK members rule and correct,
    /// and simulated commissioners sign off up to national; with this
    /// flag every region stays open for people to review and sign off.
    #[arg(long, env = "SAKSI_NO_RECAP")]
    pub no_recap: bool,
    /// Do not simulate the logistics. By default simulated suppliers and
    /// offices ship every TPS its kit down the chain and each receiver
    /// confirms the delivery, on a compressed clock, so every TPS is ready
    /// within two minutes; with this flag nothing is shipped.
    #[arg(long, env = "SAKSI_NO_LOGISTICS")]
    pub no_logistics: bool,
}

fn parse_every(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.0..=86_400.0).contains(&secs) => Ok(secs),
        _ => Err(format!("{s:?} is not a number of seconds from 0 to 86400")),
    }
}

/// A demo account as printed and written to `demo-accounts.json`.
#[derive(Debug, Serialize)]
struct DemoAccount {
    username: String,
    password: String,
    role: &'static str,
    region: RegionCode,
    /// The account's TOTP secret (base32), enrolled already, for roles
    /// that need a second factor: a script computes the current code from
    /// it. The demo itself never logs in, so no code is used up.
    #[serde(skip_serializing_if = "Option::is_none")]
    totp_secret: Option<String>,
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let launched = Instant::now();
    let root = args
        .data_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("saksi-demo-{}", std::process::id())));
    let (dir, store, earlier) = prepare(&root, args)?;
    let log = dir.log_setup()?;
    let lease = acquire_lease(&store, args.listen.lease_seconds)?;
    // The server loads the election once; accounts and tokens use its copy.
    let totp_key = dir.totp_key()?;
    // Minutes, so a newcomer sees incidents escalate.
    let config = saksi_server::Config {
        metrics: args.metrics.access(),
        totp_key: Some(totp_key.clone()),
        photos: Some(dir.photos()),
        incident_deadlines: args
            .listen
            .incident_deadlines
            .unwrap_or_else(Deadlines::demo),
        polling_day: args
            .listen
            .polling_day
            .unwrap_or_else(|| PollingDay::containing(crate::support::now())),
        ..args.listen.config()
    };
    let app = load(Arc::clone(&store), config, log, lease)?;
    let election = Arc::clone(&app.state().election);
    let accounts = ensure_accounts(store.as_ref(), &election, args.generate.seed, &totp_key)?;
    write_accounts(&dir, &accounts)?;
    let started = Instant::now();
    let root = dir.root_signer()?;
    // What the simulated officers' passwords and TOTP secrets derive from:
    // only this data directory holds it.
    let officers_secret: [u8; 32] =
        Sha256::digest(format!("saksi/demo-sim\n{}", root.to_private_key_string())).into();
    let mut keys = DemoKeys::derive(root, app.state().log.origin(), &election);
    let recap = args.rate > 0.0 && !args.no_recap;
    if recap {
        keys.add_commissioners(&election, &args.listen.signoff_quorum);
    }
    let key_dir = dir.demo_keys();
    let written = keys.write_files(&election, &key_dir)?;
    eprintln!(
        "derived {} simulated KPPS keys and the kab/kota officers' keys in {:.1} s ({written} new files in {})",
        election.tree.tps_ids().len(),
        started.elapsed().as_secs_f64(),
        key_dir.display()
    );
    let state = app.state().clone();
    let log_key = app.state().log.verifier().to_string();
    let roots = app.state().roots.trim_end().replace('\n', "' --root '");
    runtime()?.block_on(async move {
        let listener = bind(args.listen.listen).await?;
        // The port actually bound (`--listen 127.0.0.1:0` picks a free one).
        let listen = listener.local_addr()?;
        let (stop_tx, mut stop) = watch::channel(false);
        let mut server_stop = stop.clone();
        let metrics = args.metrics.bind().await?;
        args.metrics.print_where(metrics.as_ref());
        let server = tokio::spawn(saksi_server::serve_with_metrics(
            listener,
            metrics,
            app,
            async move {
                let _ = server_stop.changed().await;
            },
        ));
        let client = Client::new(&format!("http://{listen}"), None, simulate::TIMEOUT)?;
        keys.register_showing(&election, &client, "officer and KPPS keys")
            .await?;
        let keys = Arc::new(keys);
        let codes = enrolment_codes(&state, &election, &accounts).await?;
        let allocation = Arc::clone(&state.allocation);
        // The state holds the sequencer's queue, which the server drains
        // and closes on stopping: only the server may keep it.
        drop(state);
        tokio::spawn(officers::certify_forever(
            Arc::clone(&store),
            Arc::clone(&keys),
            client.clone(),
            stop.clone(),
        ));
        let incidents =
            (args.rate > 0.0 && args.incidents_every > 0.0).then(|| IncidentSimulation {
                election: Arc::clone(&election),
                keys: Arc::clone(&keys),
                client: client.clone(),
                officers: Officers::new(
                    Arc::clone(&store),
                    totp_key.clone(),
                    officers_secret,
                    client.clone(),
                ),
                seed: args.generate.seed,
                every: Duration::from_secs_f64(args.incidents_every),
            });
        if let Some(incidents) = incidents {
            tokio::spawn(incidents.run(stop.clone()));
        }
        // Before the address is printed, so a signal sent on reading it
        // stops the demo cleanly.
        let signal = shutdown_signal();
        print_welcome(&dir, listen, &accounts, &codes, &log_key, &roots, args);
        tokio::spawn(async move {
            signal.await;
            let _ = stop_tx.send(true);
        });
        if args.rate > 0.0 && !args.no_logistics {
            let simulation = LogisticsSimulation {
                election: Arc::clone(&election),
                allocation,
                keys: Arc::clone(&keys),
                client: client.clone(),
                seed: args.generate.seed,
                started: launched,
            };
            tokio::spawn(simulation.run(stop.clone()));
        }
        let (held_tx, held) = tokio::sync::mpsc::unbounded_channel();
        if recap {
            let simulation = RecapSimulation::new(
                Arc::clone(&election),
                Arc::clone(&keys),
                client.clone(),
                Officers::new(
                    Arc::clone(&store),
                    totp_key.clone(),
                    officers_secret,
                    client.clone(),
                ),
                args.generate.seed,
                launched,
            );
            tokio::spawn(simulation.run(held, stop.clone()));
        }
        if args.rate > 0.0 {
            if earlier {
                eprintln!(
                    "this data directory is from an earlier demo: its forms are sent again first, \
                     and the server answers each as a replay of its first receipt (counted once); \
                     results move again once the simulation passes them"
                );
            }
            let stats = Simulation {
                election,
                client,
                keys,
                rate: args.rate,
                seed: args.generate.seed,
                count: None,
                held: recap.then_some(held_tx),
            }
            .run(stop.clone())
            .await;
            eprintln!("simulation finished: {stats}");
        }
        let _ = stop.wait_for(|stopped| *stopped).await;
        server
            .await
            .context("the server task failed")?
            .context("the server stopped with an error")
    })
}

/// A fresh data directory with a generated election, or the one from an
/// earlier demo as it is (then `true`); either way marked as a simulation,
/// since the demo submits invented forms into it.
fn prepare(root: &std::path::Path, args: &DemoArgs) -> Result<(DataDir, Arc<dyn Store>, bool)> {
    if let Ok(dir) = DataDir::existing(root) {
        eprintln!("serving the election already in {}", root.display());
        let store = open_store(&dir, &args.database)?;
        mark_simulation(store.as_ref())?;
        return Ok((dir, store, true));
    }
    let dir = DataDir::create(root)?;
    let opts = GenerateOptions {
        seed: args.generate.seed,
        scale: args.generate.scale,
    };
    let election = generate(&opts).context("cannot generate the election")?;
    let store = setup::store_election(
        &dir,
        &election,
        &format!("demo: seed {} scale {}", opts.seed, opts.scale),
        &args.origin,
        &args.database,
    )?;
    mark_simulation(store.as_ref())?;
    Ok((dir, store, false))
}

/// Records in the store that its data is simulated, so that this server and
/// any later `saksi serve` of it say so on every page and answer.
fn mark_simulation(store: &dyn Store) -> Result<()> {
    saksi_server::simulation::mark(store).context("cannot mark the data as a simulation")
}

/// The demo's accounts: one per role, at the first region of the role's
/// level; deterministic by seed so scripts can rely on them.
fn demo_accounts(election: &Election, seed: u64) -> Vec<DemoAccount> {
    let first = |level: Level| {
        election
            .tree
            .iter()
            .find(|(_, r)| r.level() == level)
            .map_or(RegionCode::NASIONAL, |(_, r)| r.code)
    };
    Role::ALL
        .into_iter()
        .map(|role| DemoAccount {
            username: format!("demo-{}", role.id()),
            password: demo_password(role, seed),
            role: role.id(),
            region: role.level().map_or(RegionCode::NASIONAL, first),
            totp_secret: role
                .needs_totp()
                .then(|| totp::base32_encode(&demo_totp_secret(role, seed))),
        })
        .collect()
}

/// A demo account's TOTP secret: deterministic by seed like its password
/// (the demo's data is invented; a real account's secret is random).
fn demo_totp_secret(role: Role, seed: u64) -> [u8; totp::SECRET_BYTES] {
    let digest = Sha256::digest(format!("saksi-demo-totp\n{}\n{seed}", role.id()).as_bytes());
    let mut secret = [0u8; totp::SECRET_BYTES];
    secret.copy_from_slice(&digest[..totp::SECRET_BYTES]);
    secret
}

/// A demo account's password: deterministic by seed, the seed padded so
/// that even the shortest role's meets the password policy.
fn demo_password(role: Role, seed: u64) -> String {
    format!("demo-{}-{seed:06}", role.id())
}

/// Creates the demo accounts that do not exist yet, and enrols TOTP for
/// those whose role needs it and has none.
fn ensure_accounts(
    store: &dyn Store,
    election: &Election,
    seed: u64,
    key: &TotpKey,
) -> Result<Vec<DemoAccount>> {
    let accounts = demo_accounts(election, seed);
    let wanted: Vec<users::Wanted> = Role::ALL
        .into_iter()
        .zip(&accounts)
        .map(|(role, a)| users::Wanted {
            username: a.username.clone(),
            role,
            region: a.region,
            party: (role == Role::Saksi).then_some(2),
            password: a.password.clone(),
            totp: role.needs_totp().then(|| demo_totp_secret(role, seed)),
        })
        .collect();
    users::ensure(store, key, &wanted)?;
    Ok(accounts)
}

/// TPS the demo prints enrolment codes for.
const ENROLMENT_CODES: usize = 3;

/// Fresh enrolment codes for the first [`ENROLMENT_CODES`] TPS of the demo
/// `kpu-kabkota` account's kab/kota other than the `demo-kpps` account's
/// TPS (whose officer logs in instead), issued as that account, so its
/// workspace lists the phones that enrol with them. A second run issues
/// new codes and voids the earlier run's unused ones.
async fn enrolment_codes(
    state: &saksi_server::state::AppState,
    election: &Election,
    accounts: &[DemoAccount],
) -> Result<Vec<IssuedCode>> {
    let role = |r: Role| accounts.iter().find(|a| a.role == r.id());
    let (Some(kabkota), Some(kpps)) = (role(Role::KpuKabkota), role(Role::Kpps)) else {
        return Ok(Vec::new());
    };
    let issuer = state
        .store
        .user_by_username(&kabkota.username)?
        .context("the demo kpu-kabkota account is missing")?;
    let tps: Vec<RegionCode> = election
        .tree
        .tps_ids()
        .map(|id| election.tree.get(id).code)
        .filter(|code| kabkota.region.contains(*code) && *code != kpps.region)
        .take(ENROLMENT_CODES)
        .collect();
    if tps.is_empty() {
        return Ok(Vec::new());
    }
    enrolment::issue_codes_as(state, issuer.id, kabkota.region, tps)
        .await
        .map_err(|e| anyhow::anyhow!("cannot issue the demo's enrolment codes: {e}"))
}

/// Writes `demo-accounts.json`, readable by its owner only.
fn write_accounts(dir: &DataDir, accounts: &[DemoAccount]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let path: PathBuf = dir.root().join("demo-accounts.json");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    serde_json::to_writer_pretty(&mut file, accounts)?;
    file.write_all(b"\n")?;
    Ok(())
}

/// How to run this binary again from a shell: `saksi` if that name on
/// `PATH` is this binary, its full path otherwise (after `cargo run`, the
/// binary is under `target/` and `saksi` alone is not found).
fn program() -> String {
    let Ok(me) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        return "saksi".to_owned();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .filter_map(|dir| std::fs::canonicalize(dir.join("saksi")).ok())
            .any(|found| found == me)
    });
    if on_path {
        "saksi".to_owned()
    } else {
        me.display().to_string()
    }
}

fn print_welcome(
    dir: &DataDir,
    listen: std::net::SocketAddr,
    accounts: &[DemoAccount],
    codes: &[IssuedCode],
    log_key: &str,
    roots: &str,
    args: &DemoArgs,
) {
    println!();
    println!("Saksi demo is running.");
    println!();
    println!("  Results page:   http://{listen}/");
    println!(
        "  Workspace:      http://{listen}/login  (staff; KPPS phones: http://{listen}/kpps/)"
    );
    println!(
        "  On a phone:     the KPPS app needs HTTPS (WebCrypto keys work only in a secure context);\n                  \
         serve this address behind a TLS proxy (README: serving the workspace over HTTPS)"
    );
    println!(
        "  API:            http://{listen}/api/v1/results/ppwp  (OpenAPI: /api/v1/openapi.json)"
    );
    println!("  Data directory: {}", dir.root().display());
    println!("  Log key:        {log_key}");
    let saksi = program();
    println!(
        "  Audit it:       {saksi} audit --server http://{listen} --key '{log_key}' --root '{roots}'"
    );
    println!(
        "  KPPS keys:      {} (sign a form: {saksi} kpps sign --key FILE)",
        dir.demo_keys().display()
    );
    println!();
    println!(
        "  Demo accounts (also in {}):",
        dir.root().join("demo-accounts.json").display()
    );
    for a in accounts {
        println!(
            "    {:<18} {:<23} {:<12} region {:<17} {}",
            a.username,
            a.password,
            a.role,
            a.region.to_string(),
            a.totp_secret
                .as_deref()
                .map_or(String::new(), |s| format!("TOTP secret {s}"))
        );
    }
    println!(
        "  Staff accounts have TOTP enrolled: add the secret to an authenticator app, or\n  \
         compute the code from it (RFC 6238, SHA1, 30 s, 6 digits) and log in with \"totp\"."
    );
    println!();
    println!("  Enrolment codes (one-time; the KPU Kab/Kota demo account issues more):");
    for c in codes {
        println!(
            "    Enrol a phone as KPPS: http://{listen}/kpps/  TPS {} code {} (until {})",
            c.tps, c.code, c.expires_at
        );
    }
    println!();
    if args.rate > 0.0 {
        println!(
            "  Simulated KPPS are submitting {} forms/s; results update live.",
            args.rate
        );
        if !args.no_recap {
            println!(
                "  As each kecamatan's forms are in, simulated witnesses object, PPK members rule\n  \
                 and correct, and simulated commissioners sign off up to national (--no-recap: none)."
            );
        }
        if !args.no_logistics {
            println!(
                "  Simulated suppliers and offices ship every TPS its kit down the chain and confirm\n  \
                 each delivery (a few short or late), on a compressed clock of 3 hours a second:\n  \
                 every TPS ready within two minutes (--no-logistics: none)."
            );
        }
        if args.incidents_every > 0.0 {
            println!(
                "  Simulated KPPS file an incident about every {} s; simulated KPU officers\n  \
                 (sim-* accounts) handle most in time and let some escalate (--incident-deadlines).",
                args.incidents_every
            );
        }
    } else {
        println!("  No simulated submissions, incidents nor logistics (--rate 0).");
    }
    println!("  Press Ctrl-C to stop.");
    println!();
    // Scripts (and tests) read the address from here; make sure it is out.
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_password_meets_the_password_policy() {
        for seed in [0, 7, 42, 123_456, u64::MAX] {
            for role in Role::ALL {
                let password = demo_password(role, seed);
                let username = format!("demo-{}", role.id());
                assert_eq!(
                    saksi_server::auth::policy::check(&password, &username),
                    Ok(()),
                    "{password}"
                );
            }
        }
    }
}
