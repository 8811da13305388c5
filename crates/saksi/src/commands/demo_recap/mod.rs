//! The demo's recap, as the numbers come in: once every TPS of a
//! kecamatan holds the last form the simulation sends it, a plenary may
//! hear an objection (`review`), and the kecamatan's simulated
//! commissioners (`ppk-<code>-<n>` keys) each confirm the sign-off the
//! server offers; once every child of a region is final, the region's
//! commissioners sign it off in turn, up to the level where each contest's
//! recap ends. A newcomer so sees the recap climb to a national PPWP
//! result that is final, with D.Hasil pages at every level.
//!
//! The simulation acts only on its own facts: it confirms a sign-off only
//! when every child it names is a form the simulation sent (or a region it
//! signed off), so a form or an objection a person or a script made holds
//! its region open (their objection blocks the sign-off until someone
//! rules on it in the workspace). A failure (a refusal, the network) is
//! printed once per kind and leaves that region open; it never stops the
//! demo.

mod review;
mod waiting;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use saksi_api::RecapState;
use saksi_core::{Contest, Election, Level, RegionCode, RegionId};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use self::review::Plenary;
use self::waiting::Waiting;
use super::demo_incidents::{Failure, Officers, Reported, parse, post_statement};
use super::simulate::simulation::Held;
use crate::client::Client;
use crate::client::demo_keys::DemoKeys;

/// A form the simulation sent that the server holds.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    pub version: u32,
    pub digest: [u8; 32],
    /// Whether the simulation sends no later version.
    pub last: bool,
}

/// Regions signed off at once. Each sign-off is a few requests in turn,
/// every one waiting for its commit; at national scale (some 40,000
/// regions and contests) one at a time would leave the recap an hour
/// behind the count, while the server's group commit takes many
/// confirmations in one transaction.
const AT_ONCE: usize = 32;

/// The demo's recap.
pub struct RecapSimulation {
    pub election: Arc<Election>,
    /// With the commissioners' keys added and registered.
    pub keys: Arc<DemoKeys>,
    pub client: Client,
    /// Whose sessions the simulated witness files objections with (one
    /// objection at a time: the witness keeps one session).
    witness: tokio::sync::Mutex<Officers>,
    pub seed: u64,
    /// When the demo started, for the times it prints.
    pub started: Instant,
    /// What the sign-offs in flight share.
    book: Mutex<Book>,
}

/// The recap's own record: the forms it sent, the regions it made final,
/// what each region waits for and what is ready.
struct Book {
    forms: HashMap<(RegionId, Contest), Form>,
    /// The digest of each final sign-off this run saw made; `None` for
    /// one final before it started (an earlier run's).
    finals: HashMap<(RegionCode, Contest), Option<[u8; 32]>>,
    waiting: Waiting,
    /// Regions whose children are all in, PPWP's first.
    ready: BTreeMap<Contest, VecDeque<RegionCode>>,
    tally: Tally,
    reported: Reported,
}

/// What the recap did, for its closing line.
#[derive(Debug, Default)]
struct Tally {
    /// Final sign-offs by level: kecamatan, kab/kota, province, national.
    signed_off: [u64; 4],
    upheld: u64,
    rejected: u64,
    /// Regions it could not sign off (a person's fact, a refusal).
    left_open: u64,
}

impl RecapSimulation {
    pub fn new(
        election: Arc<Election>,
        keys: Arc<DemoKeys>,
        client: Client,
        witness: Officers,
        seed: u64,
        started: Instant,
    ) -> RecapSimulation {
        let waiting = Waiting::new(&election);
        RecapSimulation {
            election,
            keys,
            client,
            witness: tokio::sync::Mutex::new(witness),
            seed,
            started,
            book: Mutex::new(Book {
                forms: HashMap::new(),
                finals: HashMap::new(),
                waiting,
                ready: BTreeMap::new(),
                tally: Tally::default(),
                reported: Reported::new("recap"),
            }),
        }
    }

    /// The record; a panic elsewhere cannot leave it half-written (every
    /// change is one insert or count), so a poisoned lock is taken over.
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs until the forms simulation has sent everything and every
    /// region that could be signed off is, or `stop` turns true; up to
    /// [`AT_ONCE`] regions at a time.
    pub async fn run(
        self,
        mut held: mpsc::UnboundedReceiver<Held>,
        mut stop: watch::Receiver<bool>,
    ) {
        let this = Arc::new(self);
        let mut working: JoinSet<()> = JoinSet::new();
        let mut sending = true;
        loop {
            while let Ok(h) = held.try_recv() {
                this.hold(h);
            }
            if *stop.borrow() {
                return;
            }
            while working.len() < AT_ONCE {
                let Some((region, contest)) = this.next_ready() else {
                    break;
                };
                let recap = Arc::clone(&this);
                working.spawn(async move { recap.sign_off(region, contest).await });
            }
            // Nothing in flight after filling means nothing is ready.
            if !sending && working.is_empty() {
                break;
            }
            tokio::select! {
                h = held.recv(), if sending => match h {
                    Some(h) => this.hold(h),
                    None => sending = false,
                },
                Some(_) = working.join_next(), if !working.is_empty() => {}
                _ = stop.changed() => return,
            }
        }
        let t = &this.book().tally;
        eprintln!(
            "simulated recap finished: {} kecamatan, {} kab/kota, {} provinces and {} national sign-offs final; \
             {} objections upheld and corrected, {} rejected; {} regions left open",
            t.signed_off[0],
            t.signed_off[1],
            t.signed_off[2],
            t.signed_off[3],
            t.upheld,
            t.rejected,
            t.left_open
        );
    }

    /// A form the server holds: the last of its TPS's makes one more
    /// child of the kecamatan in.
    fn hold(&self, h: Held) {
        let form = Form {
            version: h.version,
            digest: h.digest,
            last: h.last,
        };
        let mut book = self.book();
        let before = book.forms.insert((h.tps, h.contest), form);
        let was_in = before.is_some_and(|f| f.last);
        if !h.last || was_in {
            return;
        }
        let kecamatan = self
            .election
            .tree
            .get(h.tps)
            .code
            .ancestor_at(Level::Kecamatan);
        if let Some(kecamatan) = kecamatan
            && book.waiting.child_in(kecamatan, h.contest)
        {
            book.ready
                .entry(h.contest)
                .or_default()
                .push_back(kecamatan);
        }
    }

    fn next_ready(&self) -> Option<(RegionCode, Contest)> {
        self.book()
            .ready
            .iter_mut()
            .find_map(|(contest, regions)| regions.pop_front().map(|r| (r, *contest)))
    }

    /// Signs `region` off for `contest` with all its commissioners, after
    /// a kecamatan's plenary; a region final already (an earlier run's)
    /// counts as signed.
    async fn sign_off(&self, region: RegionCode, contest: Contest) {
        let mut state = match self.state(region, contest).await {
            Ok(s) => s,
            Err(f) => return self.leave_open("read a recap state", &f),
        };
        if state.state == "final" {
            return self.made_final(region, contest, None);
        }
        if region.level() == Level::Kecamatan && contest == Contest::Ppwp {
            match self.plenary(region).await {
                Ok(Plenary::Quiet) => {}
                Ok(plenary) => {
                    match plenary {
                        Plenary::Upheld => self.book().tally.upheld += 1,
                        _ => self.book().tally.rejected += 1,
                    }
                    state = match self.state(region, contest).await {
                        Ok(s) => s,
                        Err(f) => return self.leave_open("read a recap state", &f),
                    };
                }
                Err(f) => return self.leave_open("hold a plenary", &f),
            }
        }
        let Some(statement) = state.statement else {
            // Blocked by something the simulation did not make (a
            // person's objection, say): a person settles it.
            self.book().tally.left_open += 1;
            return;
        };
        let checked = self.check_children(&statement, region, contest);
        if let Err(why) = checked {
            return self.leave_open("sign a region off", &Failure::Local(anyhow::anyhow!(why)));
        }
        let path = format!("/api/v1/recap/{contest}/{region}/signoffs");
        for key in self.keys.commissioners(region) {
            let envelope = match saksi_statement::Envelope::sign(statement.clone(), key) {
                Ok(e) => e,
                Err(e) => return self.leave_open("sign a region off", &Failure::Local(e.into())),
            };
            if let Err(f) = self
                .post(&path, envelope.to_value().to_string().into_bytes())
                .await
            {
                // A person's confirmation of the same statement may have
                // made it final before the simulation's last.
                if self
                    .state(region, contest)
                    .await
                    .is_ok_and(|s| s.state == "final")
                {
                    break;
                }
                return self.leave_open("confirm a sign-off", &f);
            }
        }
        let digest = saksi_log::canonical_json(&Value::Object(statement))
            .map(|bytes| Sha256::digest(bytes).into())
            .ok();
        self.made_final(region, contest, digest);
    }

    /// Whether every child the offered statement names is one the
    /// simulation made: a form it sent, or a region it signed off.
    fn check_children(
        &self,
        statement: &Map<String, Value>,
        region: RegionCode,
        contest: Contest,
    ) -> Result<(), String> {
        let children = statement
            .get("children")
            .and_then(Value::as_array)
            .ok_or("the offered statement names no children")?;
        let book = self.book();
        for child in children {
            let (Some(code), Some(digest)) = (
                child["code"]
                    .as_str()
                    .and_then(|c| RegionCode::parse(c).ok()),
                child["digest"].as_str().and_then(|d| hex::decode(d).ok()),
            ) else {
                return Err(format!(
                    "the sign-off of {region} names a child it cannot read"
                ));
            };
            let ours = if code.level() == Level::Tps {
                self.election
                    .tree
                    .find(code)
                    .and_then(|id| book.forms.get(&(id, contest)))
                    .is_some_and(|f| f.digest[..] == digest[..])
            } else {
                book.finals
                    .get(&(code, contest))
                    .is_some_and(|d| d.is_none_or(|d| d[..] == digest[..]))
            };
            if !ours {
                return Err(format!(
                    "{contest} {region} left open: its child {code} holds what the simulation did not make"
                ));
            }
        }
        Ok(())
    }

    /// `region` is final: one more child of its parent in, where the
    /// contest's recap goes on.
    fn made_final(&self, region: RegionCode, contest: Contest, digest: Option<[u8; 32]>) {
        let mut book = self.book();
        book.finals.insert((region, contest), digest);
        let level = region.level();
        if let Some(i) = [
            Level::Kecamatan,
            Level::Kabkota,
            Level::Provinsi,
            Level::Nasional,
        ]
        .iter()
        .position(|l| *l == level)
        {
            book.tally.signed_off[i] += 1;
        }
        if level == Level::Nasional {
            eprintln!(
                "simulated recap: the national {contest} sign-off is final, {:.0} s after the demo started",
                self.started.elapsed().as_secs_f64()
            );
        }
        if let Some(parent) = region.parent().filter(|p| contest.has_recap_at(p.level()))
            && book.waiting.child_in(parent, contest)
        {
            book.ready.entry(contest).or_default().push_back(parent);
        }
    }

    fn leave_open(&self, what: &'static str, failure: &Failure) {
        let mut book = self.book();
        book.tally.left_open += 1;
        book.reported.failed(what, failure);
    }

    async fn state(&self, region: RegionCode, contest: Contest) -> Result<RecapState, Failure> {
        let answer = self
            .client
            .get(&format!("/api/v1/recap/{contest}/{region}"))
            .await?;
        parse(answer)
    }

    /// Posts a signed statement, riding out overload; a replay of an
    /// earlier run's is as good as new.
    async fn post(&self, path: &str, body: Vec<u8>) -> Result<(), Failure> {
        post_statement::<Value>(&self.client, path, body)
            .await
            .map(|_| ())
    }
}
