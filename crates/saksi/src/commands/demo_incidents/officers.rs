//! The simulated KPU officers who handle the simulated incidents: one
//! account per office that comes to own one (`sim-kpu-kabkota-<code>`,
//! `sim-kpu-prov-<code>`, `sim-kpu-ri`), and the simulated party witness
//! who files the demo recap's objections (`sim-saksi`), each created in
//! the store when first needed and enrolled in TOTP. They log in and act through the API
//! exactly as a person in the workspace does: a password, the current
//! TOTP code, a session, `Idempotency-Key` on every event.
//!
//! Their accounts are apart from the printed `demo-*` ones (whose TOTP
//! codes a script may be using, each usable once) and are not written to
//! `demo-accounts.json`, which keeps one account per role. Their passwords
//! and TOTP secrets are derived from a secret only the data directory
//! holds, so a restarted demo logs in again and nobody else can.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::Method;
use hyper::body::Bytes;
use saksi_api::{ErrorBody, IncidentAccepted, IncidentOwner, IncidentPage, Session};
use saksi_core::incident::{Action, Owner, Status};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_server::auth::totp::{self, SECRET_BYTES};
use saksi_server::auth::totp_key::TotpKey;
use saksi_statement::IncidentId;
use saksi_store::Store;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::fate::Seen;
use crate::client::forms::{self, Submitted};
use crate::client::{self, Client};
use crate::commands::demo_users::{self as users, Wanted};
use crate::support::now;

/// The KPU RI as an incident's owner.
const KPU_RI: Owner = Owner {
    level: Level::Nasional,
    region: RegionCode::NASIONAL,
};

/// Why a simulated officer's request did not go through.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Network(#[from] client::Error),
    #[error("the server answered {status} {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the server's answer is not the expected JSON")]
    Unreadable,
    #[error("{0:#}")]
    Local(anyhow::Error),
}

impl Failure {
    /// What kind of failure, to report each kind once.
    pub fn kind(&self) -> String {
        match self {
            Failure::Network(_) => "network".into(),
            Failure::Refused { code, .. } => code.clone(),
            Failure::Unreadable => "unreadable".into(),
            Failure::Local(_) => "local".into(),
        }
    }
}

/// The simulated offices and their open sessions.
pub struct Officers {
    store: Arc<dyn Store>,
    totp_key: TotpKey,
    /// What their passwords and TOTP secrets are derived from.
    secret: [u8; 32],
    client: Client,
    /// Session tokens by username.
    sessions: HashMap<String, String>,
}

impl Officers {
    pub fn new(
        store: Arc<dyn Store>,
        totp_key: TotpKey,
        secret: [u8; 32],
        client: Client,
    ) -> Officers {
        Officers {
            store,
            totp_key,
            secret,
            client,
            sessions: HashMap::new(),
        }
    }

    /// `owner`'s office takes `action` on incident `id`, with `text`.
    pub async fn act(
        &mut self,
        owner: Owner,
        id: IncidentId,
        action: Action,
        text: Option<&str>,
    ) -> Result<Seen, Failure> {
        let mut body = json!({"action": action.id()});
        if let Some(text) = text {
            body["text"] = json!(text);
        }
        // One key per incident and action: a retry is answered as first.
        let key = format!("sim-{id}-{action}");
        let path = format!("/api/v1/incidents/{id}/events");
        let answer: IncidentAccepted = self
            .call(
                owner,
                Method::POST,
                &path,
                Some(&key),
                Some(body.to_string()),
            )
            .await?;
        seen(
            &answer.owner,
            &answer.status,
            &answer.ack_due,
            &answer.resolve_due,
        )
    }

    /// Incident `id` as the server has it now, read by the KPU RI's
    /// account (which may read every incident, whoever owns it).
    pub async fn look(&mut self, id: IncidentId) -> Result<Seen, Failure> {
        let path = format!("/api/v1/incidents/{id}");
        let page: IncidentPage = self.call(KPU_RI, Method::GET, &path, None, None).await?;
        seen(&page.owner, &page.status, &page.ack_due, &page.resolve_due)
    }

    /// One request by `owner`'s office.
    async fn call<T: DeserializeOwned>(
        &mut self,
        owner: Owner,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<String>,
    ) -> Result<T, Failure> {
        let account = Account::of(owner, &self.secret);
        self.call_as(&account, method, path, idempotency_key, body)
            .await
    }

    /// One POST by the simulated national witness of party 1
    /// (`sim-saksi`), who files the demo's objections.
    pub async fn post_as_witness<T: DeserializeOwned>(
        &mut self,
        path: &str,
        idempotency_key: &str,
        body: String,
    ) -> Result<T, Failure> {
        let account = Account::witness(&self.secret);
        self.call_as(
            &account,
            Method::POST,
            path,
            Some(idempotency_key),
            Some(body),
        )
        .await
    }

    /// One request by `account`, logging in first if it has no session;
    /// a session the server no longer knows is dropped, so the next
    /// request logs in again.
    async fn call_as<T: DeserializeOwned>(
        &mut self,
        account: &Account,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<String>,
    ) -> Result<T, Failure> {
        let token = self.session(account).await?;
        let bearer = format!("Bearer {token}");
        let mut headers = vec![("authorization", bearer.as_str())];
        if let Some(key) = idempotency_key {
            headers.push(("idempotency-key", key));
        }
        let answer = self
            .client
            .request_with(method, path, &headers, body.map(Bytes::from))
            .await?;
        if answer.status == 401 {
            self.sessions.remove(&account.username);
        }
        parse(answer)
    }

    /// The account's session, logging in (and creating the account) if
    /// it has none.
    async fn session(&mut self, account: &Account) -> Result<String, Failure> {
        if let Some(token) = self.sessions.get(&account.username) {
            return Ok(token.clone());
        }
        let store = Arc::clone(&self.store);
        let key = self.totp_key.clone();
        let wanted = account.wanted();
        tokio::task::spawn_blocking(move || users::ensure(store.as_ref(), &key, &[wanted]))
            .await
            .map_err(|e| Failure::Local(e.into()))?
            .map_err(Failure::Local)?;
        let code = totp::code_at(&totp::base32_encode(&account.totp), now().0)
            .ok_or_else(|| Failure::Local(anyhow::anyhow!("a derived TOTP secret")))?;
        let login = json!({
            "username": account.username,
            "password": account.password,
            "totp": code,
        });
        let answer = self
            .client
            .post_json("/api/v1/auth/login", login.to_string())
            .await?;
        let session: Session = parse(answer)?;
        self.sessions
            .insert(account.username.clone(), session.token.clone());
        Ok(session.token)
    }
}

/// A simulated office's account.
struct Account {
    username: String,
    role: Role,
    region: RegionCode,
    /// A witness's party.
    party: Option<u8>,
    password: String,
    totp: [u8; SECRET_BYTES],
}

/// The party of the demo's simulated witness.
const WITNESS_PARTY: u8 = 1;

impl Account {
    /// The account of the KPU office `owner`.
    fn of(owner: Owner, secret: &[u8; 32]) -> Account {
        let role = match owner.level {
            Level::Nasional => Role::KpuRi,
            Level::Provinsi => Role::KpuProv,
            _ => Role::KpuKabkota,
        };
        Account::derived(role, owner.region, None, secret)
    }

    /// The simulated witness of party [`WITNESS_PARTY`], national.
    fn witness(secret: &[u8; 32]) -> Account {
        Account::derived(
            Role::Saksi,
            RegionCode::NASIONAL,
            Some(WITNESS_PARTY),
            secret,
        )
    }

    /// `sim-<role>` (national) or `sim-<role>-<region>`, its password and
    /// TOTP secret derived from `secret` and the name.
    fn derived(role: Role, region: RegionCode, party: Option<u8>, secret: &[u8; 32]) -> Account {
        let username = if region == RegionCode::NASIONAL {
            format!("sim-{}", role.id())
        } else {
            format!("sim-{}-{}", role.id(), region)
        };
        let derive = |what: &str| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(b"saksi/demo-sim/");
            h.update(what.as_bytes());
            h.update(b"\n");
            h.update(secret);
            h.update(username.as_bytes());
            h.finalize().into()
        };
        let mut totp = [0u8; SECRET_BYTES];
        totp.copy_from_slice(&derive("totp")[..SECRET_BYTES]);
        Account {
            password: hex::encode(&derive("password")[..16]),
            totp,
            role,
            region,
            party,
            username,
        }
    }

    fn wanted(&self) -> Wanted {
        Wanted {
            username: self.username.clone(),
            role: self.role,
            region: self.region,
            party: self.party,
            password: self.password.clone(),
            totp: Some(self.totp),
        }
    }
}

/// A 2xx answer's body as `T`, or the refusal.
pub fn parse<T: DeserializeOwned>(answer: client::Response) -> Result<T, Failure> {
    if (200..300).contains(&answer.status) {
        return serde_json::from_slice(&answer.body).map_err(|_| Failure::Unreadable);
    }
    let error =
        serde_json::from_slice::<ErrorBody>(&answer.body).map_err(|_| Failure::Unreadable)?;
    Err(Failure::Refused {
        status: answer.status,
        code: error.error.code,
        message: error.error.message,
    })
}

/// Posts a signed statement to `path`, riding out overload
/// ([`forms::submit`]): the server's answer, a replay of an earlier run's
/// as good as a new one.
pub async fn post_statement<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    body: Vec<u8>,
) -> Result<T, Failure> {
    match forms::submit(client, path, body.into(), 0).await {
        Submitted::Accepted(answer) | Submitted::Replayed(answer) | Submitted::Refused(answer) => {
            parse(answer)
        }
        Submitted::Failed => Err(Failure::Local(anyhow::anyhow!(
            "the server was overloaded or unreachable on every try"
        ))),
    }
}

/// What an answer says of an incident.
pub fn seen(
    owner: &IncidentOwner,
    status: &str,
    ack_due: &Option<String>,
    resolve_due: &Option<String>,
) -> Result<Seen, Failure> {
    let time = |t: &Option<String>| match t {
        Some(t) => UnixTime::parse_rfc3339(t)
            .map(Some)
            .ok_or(Failure::Unreadable),
        None => Ok(None),
    };
    let owner = Owner {
        level: Level::parse(&owner.level).ok_or(Failure::Unreadable)?,
        region: RegionCode::parse(&owner.region).map_err(|_| Failure::Unreadable)?,
    };
    Ok(Seen {
        owner,
        status: Status::parse(status).ok_or(Failure::Unreadable)?,
        ack_due: time(ack_due)?,
        resolve_due: time(resolve_due)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_office_has_its_own_account_with_a_password_the_policy_accepts() {
        let secret = [9; 32];
        let kab = RegionCode::parse("11.01").unwrap();
        let prov = RegionCode::parse("11").unwrap();
        let offices = [
            Owner {
                level: Level::Kabkota,
                region: kab,
            },
            Owner {
                level: Level::Provinsi,
                region: prov,
            },
            KPU_RI,
        ];
        let accounts: Vec<Account> = offices
            .iter()
            .map(|o| Account::of(*o, &secret))
            .chain([Account::witness(&secret)])
            .collect();
        let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
        assert_eq!(
            names,
            [
                "sim-kpu-kabkota-11.01",
                "sim-kpu-prov-11",
                "sim-kpu-ri",
                "sim-saksi"
            ]
        );
        for a in &accounts {
            assert!(a.role.needs_totp());
            assert_eq!(a.region.level(), a.role.level().unwrap_or(Level::Nasional));
            assert_eq!(a.party.is_some(), a.role == Role::Saksi);
            assert_eq!(
                saksi_server::auth::policy::check(&a.password, &a.username),
                Ok(())
            );
        }
        // Another data directory's secret, other passwords.
        assert_ne!(Account::of(KPU_RI, &[8; 32]).password, accounts[2].password);
    }
}
