//! `saksi user disable`, `enable`, `reset-password`, `revoke-sessions` and
//! `totp reset`: what an operator does when an officer leaves, loses a
//! phone or forgets a password. Each ends the account's sessions in the same transaction as
//! the change (the server stops honouring them within a second).

use anyhow::{Result, anyhow};
use saksi_server::auth::{password, policy, token};

use super::{ResetPasswordArgs, UserArgs, find, open, read_password};
use crate::support::now;

pub fn disable(args: &UserArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = find(store.as_ref(), &args.username)?;
    if let Some(since) = user.disabled_at {
        println!("{} is already disabled (since {since})", user.username);
        return Ok(());
    }
    let revoked = store.set_disabled(user.id, Some(now()))?;
    println!(
        "disabled {}; {revoked} live session(s) revoked",
        user.username
    );
    Ok(())
}

pub fn enable(args: &UserArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = find(store.as_ref(), &args.username)?;
    if user.disabled_at.is_none() {
        println!("{} is already active", user.username);
        return Ok(());
    }
    store.set_disabled(user.id, None)?;
    println!(
        "enabled {}; it logs in again (earlier sessions stay revoked)",
        user.username
    );
    Ok(())
}

pub fn reset_password(args: &ResetPasswordArgs) -> Result<()> {
    let store = open(&args.user.data_dir)?;
    let user = find(store.as_ref(), &args.user.username)?;
    let password = if args.generate {
        generate()?
    } else {
        read_password()?
    };
    policy::check(&password, &user.username)?;
    let hash = password::hash(&password)?;
    let revoked = store.set_password(user.id, &hash, now())?;
    if args.generate {
        // Shown once, on standard output alone, so it can be piped.
        println!("{password}");
        eprintln!(
            "new password set for {}; {revoked} live session(s) revoked",
            user.username
        );
    } else {
        println!(
            "new password set for {}; {revoked} live session(s) revoked",
            user.username
        );
    }
    Ok(())
}

pub fn revoke_sessions(args: &UserArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = find(store.as_ref(), &args.username)?;
    let revoked = store.revoke_sessions(user.id, now())?;
    println!("{revoked} live session(s) of {} revoked", user.username);
    Ok(())
}

pub fn totp_reset(args: &UserArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = find(store.as_ref(), &args.username)?;
    let revoked = store.reset_totp(user.id, now())?;
    println!(
        "TOTP reset for {}; {revoked} live session(s) revoked; its next login enrols a new secret",
        user.username
    );
    Ok(())
}

/// A random password of 96 bits as four groups of six hex digits
/// (`3f9ac2-...`): easy to read out over a phone, far beyond guessing.
fn generate() -> Result<String> {
    let random =
        token::generate().map_err(|e| anyhow!("the system's random source failed: {e}"))?;
    let groups: Vec<&str> = (0..4).map(|i| &random[i * 6..i * 6 + 6]).collect();
    Ok(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_password_meets_the_policy_and_differs_each_time() {
        let a = generate().unwrap();
        assert_eq!(a.len(), 27);
        assert_eq!(policy::check(&a, "ketua"), Ok(()));
        assert_ne!(a, generate().unwrap());
    }
}
