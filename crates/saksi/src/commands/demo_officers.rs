//! The demo's simulated officers above: every second, each officer's key
//! that a demo staff account (`demo-*`) submitted from its browser and
//! that is not registered yet is certified by the demo's key one level up
//! (the root key for kpu-prov, the province's kpu-prov key for
//! kpu-kabkota, the kab/kota's kpu-kabkota key for pps and ppk), posted
//! to `POST /api/v1/keys` as a real officer's browser would. A newcomer
//! alone can so walk the whole chain.
//!
//! It reads the submissions from the store (the demo never logs in as its
//! accounts, whose TOTP codes a script may be using) and answers only to
//! the server through the API.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use saksi_api::ErrorBody;
use saksi_statement::KeyRole;
use saksi_store::{OfficerKeyFilter, Store, SubmittedOfficerKey};
use tokio::sync::watch;

use crate::client::Client;
use crate::client::demo_keys::DemoKeys;

/// How often the simulated officers look for keys to certify.
const EVERY: Duration = Duration::from_secs(1);

/// The accounts whose keys are certified: the demo's own.
const DEMO_PREFIX: &str = "demo-";

/// Certifies the demo accounts' submitted keys until `stop` turns true.
pub async fn certify_forever(
    store: Arc<dyn Store>,
    keys: Arc<DemoKeys>,
    client: Client,
    mut stop: watch::Receiver<bool>,
) {
    // Submissions refused for good (a key of another log's chain, say):
    // reported once, not posted every second.
    let mut given_up: HashSet<i64> = HashSet::new();
    loop {
        if *stop.borrow() {
            return;
        }
        let store = Arc::clone(&store);
        let pending = tokio::task::spawn_blocking(move || {
            store.officer_keys_submitted(&OfficerKeyFilter::All)
        })
        .await;
        if let Ok(Ok(submitted)) = pending {
            let todo: Vec<&SubmittedOfficerKey> =
                submitted.iter().filter(|k| wanted(k, &given_up)).collect();
            for k in todo {
                if let Err(e) = certify(&keys, &client, k).await {
                    eprintln!(
                        "the demo's simulated officer could not certify {}'s key: {e:#}",
                        k.username
                    );
                    given_up.insert(k.id);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// A demo account's key that the registry does not hold yet.
fn wanted(k: &SubmittedOfficerKey, given_up: &HashSet<i64>) -> bool {
    k.username.starts_with(DEMO_PREFIX) && k.registration.is_none() && !given_up.contains(&k.id)
}

/// Registers one submitted key, signed by the demo's officer above it. A
/// key the server already holds counts as certified.
async fn certify(keys: &DemoKeys, client: &Client, k: &SubmittedOfficerKey) -> anyhow::Result<()> {
    let role = KeyRole::parse(&k.role)
        .ok_or_else(|| anyhow::anyhow!("the log has no {} key role yet", k.role))?;
    let body = keys.certification(&k.key, role, k.region)?;
    let answer = client.post_json("/api/v1/keys", body).await?;
    if answer.status == 201 {
        eprintln!(
            "the demo's simulated officer certified {}'s {} key for {}",
            k.username, k.role, k.region
        );
        return Ok(());
    }
    let error = serde_json::from_slice::<ErrorBody>(&answer.body)
        .map(|b| b.error)
        .ok();
    match error {
        Some(e) if e.code == "key.already_registered" => Ok(()),
        Some(e) => anyhow::bail!("{} {}: {}", answer.status, e.code, e.message),
        None => anyhow::bail!("answered {}", answer.status),
    }
}
