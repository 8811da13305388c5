//! `saksi key generate|certify|revoke` and `saksi kpps register|sign`: the
//! officer's side of the key chain (docs/statements.md). Statements are
//! built and signed here, on the officer's own machine, with a key the
//! server never sees; the server only relays them into the log.
//!
//! A signed statement is printed as its envelope, the POST body
//! `{"statement", "signature", "key"}`, or with `--server` posted to
//! `/api/v1/keys` and the server's answer printed. Private keys are read
//! from files and never printed.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hyper::Method;
use hyper::body::Bytes;
use saksi_api::ErrorBody;
use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::{Signer, Verifier};
use saksi_statement::{
    Envelope, FormStatement, KeyAction, KeyRole, KeyStatement, StatementError, decode_statement,
};
use serde_json::{Map, Value};

use crate::cli::{
    KeyCertifyArgs, KeyGenerateArgs, KeyRevokeArgs, KppsRegisterArgs, KppsSignArgs, OriginArg,
    PostArgs, ValidityArgs,
};
use crate::client::{CaCertArg, Client};
use crate::support::data_dir::create_new_file;
use crate::support::{Reported, now, runtime};

/// How long a key stays valid without `--valid-until`.
const DEFAULT_VALIDITY_SECS: i64 = 180 * 86_400;

/// How long to wait for each answer from the server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// `saksi key generate`.
pub fn generate(args: &KeyGenerateArgs) -> Result<()> {
    if !saksi_log::keys::is_valid_name(&args.name) {
        bail!(
            "--name {:?} is not a key name: it must be non-empty, with no spaces and no '+'",
            args.name
        );
    }
    let signer = Signer::generate(&args.name)
        .context("cannot make a key: the system's random source failed")?;
    write_private_key(&args.out, &signer)?;
    println!("{}", signer.verifier());
    Ok(())
}

/// `saksi key certify`.
pub fn certify(args: &KeyCertifyArgs) -> Result<()> {
    let role = KeyRole::parse(&args.role).ok_or_else(|| {
        anyhow!(
            "--role {:?} is not a key role; roles are kpu-prov, kpu-kabkota and kpps",
            args.role
        )
    })?;
    Registration {
        key: &args.key,
        verifier: &args.verifier,
        role,
        region: &args.region,
        region_flag: "--region",
        validity: &args.validity,
        post: &args.post,
    }
    .run()
}

/// `saksi kpps register`: a certification with role kpps for a TPS.
pub fn kpps_register(args: &KppsRegisterArgs) -> Result<()> {
    Registration {
        key: &args.key,
        verifier: &args.verifier,
        role: KeyRole::Kpps,
        region: &args.tps,
        region_flag: "--tps",
        validity: &args.validity,
        post: &args.post,
    }
    .run()
}

/// `saksi key revoke`.
pub fn revoke(args: &KeyRevokeArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let key = parse_verifier(&args.verifier)?;
    let signed_at = now();
    publish(&signer, &args.post, |origin| KeyStatement {
        origin,
        key,
        action: KeyAction::Revoke,
        signed_at,
    })
}

/// `saksi kpps sign`.
pub fn kpps_sign(args: &KppsSignArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let mut input = String::new();
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("reading the statement from standard input (end it with Ctrl-D)");
    }
    stdin
        .read_to_string(&mut input)
        .context("cannot read the statement from standard input")?;
    let statement = match form_statement(&input, now()) {
        Ok(statement) => statement,
        Err(problems) => {
            eprintln!("error: not a valid form statement; nothing was signed:");
            for problem in problems {
                eprintln!("  - {problem}");
            }
            return Err(Reported(2).into());
        }
    };
    let envelope = Envelope::sign(statement, &signer).context("cannot sign the statement")?;
    println!("{}", envelope.to_value());
    Ok(())
}

/// A key registration, from `key certify` or `kpps register`.
struct Registration<'a> {
    key: &'a Path,
    verifier: &'a str,
    role: KeyRole,
    region: &'a str,
    /// The flag the region came from, for messages.
    region_flag: &'static str,
    validity: &'a ValidityArgs,
    post: &'a PostArgs,
}

impl Registration<'_> {
    fn run(&self) -> Result<()> {
        let signer = read_signer(self.key)?;
        let key = parse_verifier(self.verifier)?;
        let region = self.region()?;
        let signed_at = now();
        let valid_from = self.validity.valid_from.unwrap_or(signed_at);
        let valid_until = match self.validity.valid_until {
            Some(until) if until <= valid_from => {
                bail!(
                    "--valid-until {until} is not after --valid-from ({valid_from}; default: now)"
                )
            }
            Some(until) => until,
            None => {
                let until = signed_at.plus(DEFAULT_VALIDITY_SECS);
                if until <= valid_from {
                    bail!(
                        "--valid-from {valid_from} is after the default --valid-until (180 days from now, {until}); give --valid-until"
                    );
                }
                until
            }
        };
        let action = KeyAction::Register {
            role: self.role,
            region,
            valid_from,
            valid_until,
        };
        publish(&signer, self.post, |origin| KeyStatement {
            origin,
            key,
            action,
            signed_at,
        })
    }

    /// The region, which must be at the role's level.
    fn region(&self) -> Result<RegionCode> {
        let level = self.role.level();
        let expected = || {
            format!(
                "{} {:?} is not {}: a {} key is bound to {}",
                self.region_flag,
                self.region,
                level_example(level),
                self.role.id(),
                level_name(level)
            )
        };
        let code =
            RegionCode::parse(self.region.trim()).map_err(|e| anyhow!("{} ({e})", expected()))?;
        if code.level() != level {
            bail!("{}", expected());
        }
        Ok(code)
    }
}

/// "a province code like 11", for messages.
fn level_example(level: Level) -> String {
    let example = match level {
        Level::Provinsi => "11",
        Level::Kabkota => "11.01",
        Level::Kecamatan => "11.01.01",
        Level::Desa => "11.01.01.2001",
        Level::Tps => "11.01.01.2001.001",
        Level::Nasional => "0",
    };
    format!("{} code like {example}", level_name(level))
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Provinsi => "a province",
        Level::Kabkota => "a kab/kota",
        Level::Kecamatan => "a kecamatan",
        Level::Desa => "a desa",
        Level::Tps => "a TPS",
        Level::Nasional => "the nation",
    }
}

/// Signs the statement `build` makes for the log's origin, then prints
/// the envelope or, with `--server`, posts it and prints the answer.
fn publish(
    signer: &Signer,
    post: &PostArgs,
    build: impl FnOnce(String) -> KeyStatement,
) -> Result<()> {
    let Some(url) = &post.server else {
        let origin = post
            .origin
            .clone()
            .unwrap_or_else(OriginArg::default_origin);
        let envelope = sign(build(check_origin(origin)?), signer)?;
        println!("{}", envelope.to_value());
        return Ok(());
    };
    runtime()?.block_on(async {
        let mut server = Server::connect(url, &post.tls)?;
        let origin = match &post.origin {
            Some(origin) => origin.clone(),
            None => server.origin().await?,
        };
        let envelope = sign(build(check_origin(origin)?), signer)?;
        let body = serde_json::to_vec(&envelope.to_value())?;
        let (status, answer) = server.post("/api/v1/keys", &body).await?;
        if (200..300).contains(&status) {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(answer.trim_ascii_end())?;
            stdout.write_all(b"\n")?;
            return Ok(());
        }
        report_refusal(status, &answer);
        Err(Reported(1).into())
    })
}

/// The origin, if it can name a log at all (no spaces, no '+').
fn check_origin(origin: String) -> Result<String> {
    if !saksi_log::keys::is_valid_name(&origin) {
        bail!("--origin {origin:?} is not a log origin (no spaces, no '+')");
    }
    Ok(origin)
}

fn sign(statement: KeyStatement, signer: &Signer) -> Result<Envelope> {
    Envelope::sign(statement.to_object(), signer).context("cannot sign the statement")
}

/// Prints a refusal as `error: <code>: <message>` (and its details, if
/// any) on standard error.
fn report_refusal(status: u16, body: &[u8]) {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => {
            eprintln!("error: {}: {}", error.code, error.message);
            let details = &error.details;
            if !details.is_null() && details.as_object().is_none_or(|o| !o.is_empty()) {
                eprintln!("details: {details}");
            }
        }
        Err(_) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
            eprintln!("error: the server answered {status}: {}", text.trim());
        }
    }
}

/// A connection to the server named by `--server`.
struct Server {
    url: String,
    client: Client,
}

impl Server {
    fn connect(url: &str, tls: &CaCertArg) -> Result<Server> {
        let client = tls
            .client(url, TIMEOUT)
            .with_context(|| format!("cannot find the server {url}"))?;
        Ok(Server {
            url: url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    async fn request(&mut self, method: Method, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
        let what = || format!("{method} {}{path}", self.url);
        let json = (!body.is_empty()).then(|| Bytes::copy_from_slice(body));
        match self.client.request(method.clone(), path, json).await {
            Ok(response) => Ok((response.status, response.body)),
            Err(e) => Err(anyhow!(e).context(what())),
        }
    }

    /// The log's origin: the first line of its checkpoint.
    async fn origin(&mut self) -> Result<String> {
        const PATH: &str = "/api/v1/log/checkpoint";
        let (status, body) = self.request(Method::GET, PATH, b"").await?;
        let first = String::from_utf8_lossy(&body)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if status != 200 || first.is_empty() {
            bail!(
                "cannot learn the log's origin: GET {}{PATH} answered {status}; give --origin",
                self.url
            );
        }
        Ok(first)
    }

    async fn post(&mut self, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
        self.request(Method::POST, path, body).await
    }
}

/// Reads a private key file; its content never appears in a message.
fn read_signer(path: &Path) -> Result<Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    Signer::parse(text.trim()).map_err(|e| {
        anyhow!(
            "{} is not a private key file (PRIVATE+KEY+<name>+<key id>+<base64>, as `saksi key generate` writes): {e}",
            path.display()
        )
    })
}

fn parse_verifier(text: &str) -> Result<Verifier> {
    Verifier::parse(text.trim()).map_err(|e| {
        anyhow!("--verifier {text:?} is not an Ed25519 verifier key (name+<key id>+<base64>): {e}")
    })
}

/// Writes a private key to a new file, mode 0600, never replacing one.
fn write_private_key(path: &Path, signer: &Signer) -> Result<()> {
    let text = format!("{}\n", signer.to_private_key_string());
    match create_new_file(path, &text, 0o600) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} already exists; a key file is never overwritten (choose another --out)",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}

/// The statement object read for `kpps sign`, with `signed_at` filled in
/// if absent, or every problem that keeps it from being a form statement.
fn form_statement(input: &str, now: UnixTime) -> Result<Map<String, Value>, Vec<String>> {
    let value: Value =
        serde_json::from_str(input).map_err(|e| vec![format!("the input is not JSON: {e}")])?;
    let Value::Object(mut statement) = value else {
        return Err(vec![
            "the input must be one JSON object (the statement)".to_owned(),
        ]);
    };
    statement
        .entry("signed_at")
        .or_insert_with(|| Value::String(now.to_string()));
    let bytes = saksi_log::canonical_json(&Value::Object(statement.clone()))
        .map_err(|e| vec![format!("the statement has no canonical form: {e}")])?;
    match decode_statement::<FormStatement>(&bytes) {
        Ok(_) => Ok(statement),
        Err(StatementError::Form(issues)) => Err(issues
            .iter()
            .map(|issue| match &issue.field {
                Some(field) => format!("form.{field}: {} ({})", issue.message, issue.code),
                None => format!("form: {} ({})", issue.message, issue.code),
            })
            .collect()),
        Err(e) => Err(vec![e.to_string()]),
    }
}
