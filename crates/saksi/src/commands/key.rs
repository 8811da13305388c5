//! `saksi key generate|certify|revoke`: the officer's side of the key
//! chain (docs/statements.md). Statements are built and signed here, on the
//! officer's own machine, with a key the server never sees; the server only
//! relays them into the log.
//!
//! A signed statement is printed as its envelope, the POST body
//! `{"statement", "signature", "key"}`, or with `--server` posted to
//! `/api/v1/keys` and the server's answer printed. Private keys are read
//! from files and never printed.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use saksi_log::Signer;
use saksi_statement::{KeyAction, KeyRole, KeyStatement};

use crate::cli::{KeyCertifyArgs, KeyGenerateArgs, KeyRevokeArgs};
use crate::support::data_dir::create_new_file;
use crate::support::now;
use crate::support::signing::{Registration, parse_verifier, publish, read_signer};

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
