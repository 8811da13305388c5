//! What `saksi key` and `saksi kpps` share: reading key files, building a
//! key registration, and signing a key statement, then printing its
//! envelope or posting it to a server (docs/statements.md).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use saksi_api::ErrorBody;
use saksi_core::{Level, RegionCode};
use saksi_log::{Signer, Verifier};
use saksi_statement::{Envelope, KeyAction, KeyRole, KeyStatement};
use serde_json::{Map, Value};

use super::args::OriginArg;
use super::{Reported, now, runtime};
use crate::client::keys::Server;
use crate::client::{CaCertArg, Response};

/// How long a registered key is valid.
#[derive(Debug, Args)]
pub struct ValidityArgs {
    /// Start of the key's validity, RFC 3339 UTC (default: now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub valid_from: Option<saksi_core::time::UnixTime>,
    /// End of the key's validity (exclusive), RFC 3339 UTC (default: 180
    /// days from now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub valid_until: Option<saksi_core::time::UnixTime>,
}

/// Where a signed key statement goes: standard output, or a server.
#[derive(Debug, Args)]
pub struct PostArgs {
    /// The transparency log the statement is for (its origin, the first
    /// line of its checkpoints). Default: with --server, the server's;
    /// otherwise the default of `saksi init --origin`
    /// (`saksi.localhost/log`).
    #[arg(long, env = "SAKSI_ORIGIN")]
    pub origin: Option<String>,
    /// Post the signed statement to this server's /api/v1/keys and print
    /// its answer instead of the statement (http://host:port; deliberately
    /// no variable: posting is never implied by the environment).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    #[command(flatten)]
    pub tls: CaCertArg,
}

fn parse_time(s: &str) -> Result<saksi_core::time::UnixTime, String> {
    saksi_core::time::UnixTime::parse_rfc3339(s)
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 UTC time like 2024-02-14T13:00:00Z"))
}

/// How long a key stays valid without `--valid-until`.
const DEFAULT_VALIDITY_SECS: i64 = 180 * 86_400;

/// Where key statements are posted.
pub const KEYS_PATH: &str = "/api/v1/keys";

/// A key registration, from `key certify` or `kpps register`.
pub struct Registration<'a> {
    pub key: &'a Path,
    pub verifier: &'a str,
    pub role: KeyRole,
    pub region: &'a str,
    /// The flag the region came from, for messages.
    pub region_flag: &'static str,
    /// Registers a commissioner's key (`"commissioner": true`).
    pub commissioner: bool,
    pub validity: &'a ValidityArgs,
    pub post: &'a PostArgs,
}

impl Registration<'_> {
    pub fn run(&self) -> Result<()> {
        if self.commissioner && !self.role.may_be_commissioner() {
            bail!(
                "--commissioner is for ppk, kpu-kabkota, kpu-prov and kpu-ri keys, not {}",
                self.role.id()
            );
        }
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
            commissioner: self.commissioner,
        };
        publish(&signer, self.post, KEYS_PATH, |origin| {
            KeyStatement {
                origin,
                key,
                action,
                signed_at,
            }
            .to_object()
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
/// the envelope or, with `--server`, posts it to `path` and prints the
/// answer.
pub fn publish(
    signer: &Signer,
    post: &PostArgs,
    path: &str,
    build: impl FnOnce(String) -> Map<String, Value>,
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
        post_envelope(&mut server, path, &envelope).await
    })
}

/// Posts a signed envelope to `path` and prints the answer, or reports the
/// refusal (`error: <code>: <message>`, exit 1).
pub async fn post_envelope(server: &mut Server, path: &str, envelope: &Envelope) -> Result<()> {
    let body = serde_json::to_vec(&envelope.to_value())?;
    let Response {
        status,
        body: answer,
        ..
    } = server.post(path, &body).await?;
    if (200..300).contains(&status) {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(answer.trim_ascii_end())?;
        stdout.write_all(b"\n")?;
        return Ok(());
    }
    report_refusal(status, &answer);
    Err(Reported(1).into())
}

/// The origin, if it can name a log at all (no spaces, no '+').
fn check_origin(origin: String) -> Result<String> {
    if !saksi_log::keys::is_valid_name(&origin) {
        bail!("--origin {origin:?} is not a log origin (no spaces, no '+')");
    }
    Ok(origin)
}

fn sign(statement: Map<String, Value>, signer: &Signer) -> Result<Envelope> {
    Envelope::sign(statement, signer).context("cannot sign the statement")
}

/// Prints a refusal as `error: <code>: <message>` (and its details, if
/// any) on standard error.
pub fn report_refusal(status: u16, body: &[u8]) {
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

/// Reads a private key file; its content never appears in a message.
pub fn read_signer(path: &Path) -> Result<Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    Signer::parse(text.trim()).map_err(|e| {
        anyhow!(
            "{} is not a private key file (PRIVATE+KEY+<name>+<key id>+<base64>, as `saksi key generate` writes): {e}",
            path.display()
        )
    })
}

pub fn parse_verifier(text: &str) -> Result<Verifier> {
    Verifier::parse(text.trim()).map_err(|e| {
        anyhow!("--verifier {text:?} is not an Ed25519 verifier key (name+<key id>+<base64>): {e}")
    })
}
