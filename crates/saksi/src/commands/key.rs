//! `saksi key generate|show|certify|revoke`: the officer's side of the key
//! chain (docs/statements.md). Statements are built and signed here, on the
//! officer's own machine, with a key the server never sees; the server only
//! relays them into the log.
//!
//! A signed statement is printed as its envelope, the POST body
//! `{"statement", "signature", "key"}`, or with `--server` posted to
//! `/api/v1/keys` and the server's answer printed. Private keys are read
//! from files and never printed.

use std::path::Path;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use saksi_log::Signer;
use saksi_statement::{KeyAction, KeyRole, KeyStatement};

use crate::support::data_dir::create_new_file;
use crate::support::now;
use crate::support::signing::{KEYS_PATH, Registration, parse_verifier, publish, read_signer};
use crate::support::signing::{PostArgs, ValidityArgs};

/// `saksi key ...`. Statements are built and signed on the officer's
/// machine; the server only relays them into the log.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make an Ed25519 key: the private key goes to a new file (mode
    /// 0600), the verifier key is printed on standard output.
    Generate(KeyGenerateArgs),
    /// Print the verifier key of a private key file, as `generate` printed
    /// it (to register or pin a key whose printout is lost).
    Show(KeyShowArgs),
    /// Register a verifier key for a role and region, signed with your key:
    /// prints the signed statement, or posts it with --server.
    Certify(KeyCertifyArgs),
    /// Revoke a registered key, signed with your key: prints the signed
    /// statement, or posts it with --server.
    Revoke(KeyRevokeArgs),
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// The key's name: no spaces, no '+' (e.g. `kpu-kabkota-11.01-ani` or
    /// `kpps-11.01.01.2001.001`).
    #[arg(long)]
    pub name: String,
    /// The private key file to create (mode 0600); an existing file is
    /// never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeyShowArgs {
    /// The private key file (`PRIVATE+KEY+...`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeyCertifyArgs {
    /// Your private key file (`PRIVATE+KEY+...`): a KPU RI root key
    /// certifies kpu-ri and kpu-prov keys, a kpu-prov key kpu-kabkota keys,
    /// a kpu-kabkota key kpps, pps and ppk keys.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The verifier key to register (`name+<key id>+<base64>`, as `saksi
    /// key generate` prints it).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    /// The role the key acts in.
    #[arg(long, value_parser = ["kpu-ri", "kpu-prov", "kpu-kabkota", "kpps", "pps", "ppk", "supplier"])]
    pub role: String,
    /// The key is a commissioner's (`"commissioner": true`): a PPK member
    /// (ppk) or a KPU commissioner (kpu-kabkota, kpu-prov, kpu-ri), whose
    /// signatures count towards a recap sign-off. Officers' keys that
    /// only register devices leave it out.
    #[arg(long)]
    pub commissioner: bool,
    /// The region the key is bound to, at the role's level: `0` for
    /// kpu-ri, a province (`11`) for kpu-prov, a kab/kota (`11.01`) for kpu-kabkota, a TPS
    /// (`11.01.01.2001.001`) for kpps, a desa (`11.01.01.2001`) for pps, a
    /// kecamatan (`11.01.01`) for ppk, the kab/kota it supplies for a
    /// supplier (a printer or warehouse, whose key signs shipments only).
    #[arg(long, value_name = "CODE")]
    pub region: String,
    #[command(flatten)]
    pub validity: ValidityArgs,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub struct KeyRevokeArgs {
    /// Your private key file (`PRIVATE+KEY+...`): the kind of key that
    /// registered the revoked one, or a KPU RI root key.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The verifier key to revoke (`name+<key id>+<base64>`).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    #[command(flatten)]
    pub post: PostArgs,
}

/// `saksi key generate|show|certify|revoke`.
pub fn run(command: &KeyCommand) -> Result<()> {
    match command {
        KeyCommand::Generate(args) => generate(args),
        KeyCommand::Show(args) => show(args),
        KeyCommand::Certify(args) => certify(args),
        KeyCommand::Revoke(args) => revoke(args),
    }
}

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

/// `saksi key show`: the verifier only; the private half is never printed.
pub fn show(args: &KeyShowArgs) -> Result<()> {
    println!("{}", read_signer(&args.key)?.verifier());
    Ok(())
}

/// `saksi key certify`.
pub fn certify(args: &KeyCertifyArgs) -> Result<()> {
    let role = KeyRole::parse(&args.role).ok_or_else(|| {
        anyhow!(
            "--role {:?} is not a key role; roles are kpu-ri, kpu-prov, kpu-kabkota, kpps, pps, ppk and supplier",
            args.role
        )
    })?;
    Registration {
        key: &args.key,
        verifier: &args.verifier,
        role,
        region: &args.region,
        region_flag: "--region",
        commissioner: args.commissioner,
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
    publish(&signer, &args.post, KEYS_PATH, |origin| {
        KeyStatement {
            origin,
            key,
            action: KeyAction::Revoke,
            signed_at,
        }
        .to_object()
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
