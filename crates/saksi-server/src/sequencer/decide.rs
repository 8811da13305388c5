//! Deciding one command against the store, the key chain and the earlier
//! commands of its batch.

use saksi_api::{KeyAccepted, Receipt};
use saksi_core::form;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode, RegionId};
use saksi_log::leaf_hash;
use saksi_statement::form::version_digest;
use saksi_statement::{Entry, KeyAction, SignedBy};
use saksi_store::{
    IdempotencyRecord, KeyRevocation, LogEntry, PhotoName, RequestKey, StoredKey, StoredVersion,
};

use super::admit::NewVersion;
use super::decision::{Accepted, Outcome, Refused, Replayed};
use super::memory::IdempotencyKey;
use super::run::{Applied, Current, Decided, Pending, log_entry};
use super::{Command, Fact, FormFact, KeyFact, Sequencer};
use crate::log::receipt::{self, ReceiptHeader};

impl Sequencer {
    pub(super) fn decide(
        &mut self,
        command: Command,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Decided {
        let Command {
            request,
            request_hash,
            fact,
            reply,
        } = command;
        // Idempotency: earlier in this batch, then the store.
        if let Some((hash, accepted)) = pending.requests.get(&request) {
            return if *hash == request_hash {
                Decided::AfterCommit(reply, accepted.clone())
            } else {
                Decided::Now(reply, Outcome::Refused(Refused::IdempotencyKeyReused))
            };
        }
        let stored = if self.known.may_have_request(&request) {
            self.store.idempotency(&request.principal, &request.key)
        } else {
            Ok(None)
        };
        match stored {
            Err(err) => return Decided::Now(reply, Outcome::Refused(err.into())),
            Ok(Some(record)) if record.request_hash == request_hash => {
                let outcome = Outcome::Replayed(Replayed {
                    status: record.response_status,
                    body: record.response_body,
                });
                return Decided::Now(reply, outcome);
            }
            Ok(Some(_)) => {
                return Decided::Now(reply, Outcome::Refused(Refused::IdempotencyKeyReused));
            }
            Ok(None) => {}
        }
        let log_index = self.next_index + pending.batch.entries.len() as u64;
        let decided = match fact {
            Fact::Form(fact) => {
                self.decide_form(*fact, log_index, now, &request, request_hash, pending)
            }
            Fact::Key(fact) => self.decide_key(*fact, log_index, now, pending),
            Fact::Incident(fact) => self.decide_incident(*fact, log_index, now, pending),
            Fact::Objection(fact) => self.decide_objection(*fact, log_index, now, pending),
            Fact::Ruling(fact) => self.decide_ruling(*fact, log_index, now, pending),
            Fact::Signoff(fact) => self.decide_signoff(*fact, log_index, now, pending),
            Fact::Reopen(fact) => self.decide_reopen(*fact, log_index, now, pending),
            Fact::NoForm(fact) => self.decide_no_form(*fact, log_index, now, pending),
            Fact::Shipment(fact) => self.decide_shipment(*fact, log_index, now, pending),
            Fact::Delivery(fact) => self.decide_delivery(*fact, log_index, now, pending),
        };
        let accepted = match decided {
            Ok(accepted) => accepted,
            Err(refused) => return Decided::Now(reply, Outcome::Refused(refused)),
        };
        // Before the commit: if it fails, the fingerprint only costs a read.
        self.known
            .remember_request(&request.principal, &request.key);
        pending.batch.idempotency.push(IdempotencyRecord {
            principal: request.principal.clone(),
            key: request.key.clone(),
            request_hash: request_hash.to_vec(),
            response_status: 201,
            response_body: accepted.to_stored(),
            created_at: now,
        });
        pending
            .requests
            .insert(request, (request_hash, accepted.clone()));
        Decided::AfterCommit(reply, accepted)
    }

    /// Decides a form version: its signer's place in the key chain, its
    /// place after the current version (version and `prev`), and that a
    /// version signed on behalf does not supersede a KPPS-signed one.
    fn decide_form(
        &mut self,
        fact: FormFact,
        log_index: u64,
        now: UnixTime,
        request: &IdempotencyKey,
        request_hash: [u8; 32],
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let FormFact {
            tps,
            tps_code,
            contest,
            form,
            form_json,
            warnings,
            warnings_json,
            signed,
            signer,
        } = fact;
        // Version order: the current version, earlier in this batch or stored.
        let now_current = self.current_form(tps, tps_code, contest, pending)?;
        let (current, prev, current_by) = match &now_current {
            Some(c) => (c.version, Some(c.digest), Some(c.signed_by)),
            None => (0, None, None),
        };
        let version = current + 1;
        let statement = &signed.statement;
        let signed_by = statement.signed_by();
        let role = self
            .registry
            .check_form_signer(&signer, tps_code, signed_by, now)
            .map_err(Refused::Chain)?;
        self.check_unlocked(contest, tps_code)?;
        // A PPK's version answers an upheld objection of this form.
        if let Some(correction) = &statement.correction {
            self.review
                .check_correction(correction, tps_code, contest)
                .map_err(Refused::Review)?;
        }
        if statement.version != version {
            return Err(Refused::VersionNotNext {
                stated: statement.version,
                next: version,
                current,
            });
        }
        if statement.prev != prev {
            return Err(Refused::PrevMismatch { expected: prev });
        }
        if current_by.is_some_and(|by| !signed_by.may_supersede(by)) {
            return Err(Refused::OnBehalfOverKpps { current });
        }
        // An unchanged form and the hourly limit are decided last, once
        // the version is one its signer may make.
        let photos = statement.photos.clone();
        let new = NewVersion {
            tps,
            tps_code,
            contest,
            form: &form,
            photos: &photos,
        };
        self.admit(&new, now_current.as_ref(), now, pending)?;
        // The replaced version's form, for the tallies' difference.
        let old = now_current.map(|c| c.form);
        let digest = signed.sha256();
        let data = signed.entry(now);
        let leaf = leaf_hash(&data);
        let header = ReceiptHeader {
            form: Some((tps_code.to_string(), contest.id().to_owned(), version)),
            time: now.to_string(),
            statement_sha256: Some(digest),
        };
        let receipt: Receipt = receipt::unsigned_receipt(log_index, &header, &data, &leaf);
        let accepted = Accepted::Form(saksi_api::Accepted {
            version,
            warnings: warnings.iter().map(Into::into).collect(),
            receipt,
        });
        pending.batch.versions.push(StoredVersion {
            tps: tps_code,
            contest,
            version,
            log_index,
            form_json,
            warnings_json,
            submitted_by: crate::keys::submitted_by(role, &signed.signer),
            submitted_at: now,
            request: Some(RequestKey {
                key: request.key.clone(),
                request_hash: request_hash.to_vec(),
            }),
        });
        // The photos the entry names may now be uploaded (README: Photos).
        pending
            .batch
            .photos
            .extend(photos.iter().map(|&sha256| PhotoName { sha256, log_index }));
        pending.forms.insert(
            (tps, contest),
            Current {
                version,
                form: form.clone(),
                photos,
                digest,
                signed_by,
            },
        );
        pending.batch.entries.push(LogEntry {
            index: log_index,
            data,
            leaf_hash: leaf,
        });
        if let Some(correction) = &signed.statement.correction {
            self.note_correction(correction, log_index, pending);
        }
        self.note_form_changed(contest, tps_code, pending);
        pending.applied.push(Applied {
            tps,
            contest,
            version,
            old,
            new: form,
        });
        Ok(accepted)
    }

    /// Decides a key statement against the chain and applies it to the
    /// registry at once, so later commands of the batch see it.
    fn decide_key(
        &mut self,
        fact: KeyFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let KeyFact { signed, signer } = fact;
        let statement = &signed.statement;
        let tree = &self.election.tree;
        self.registry
            .check_key_statement(&signer, statement, now, &|code| tree.find(code).is_some())
            .map_err(Refused::Chain)?;
        let key_text = statement.key.to_string();
        let action = match &statement.action {
            KeyAction::Register {
                role,
                region,
                valid_from,
                valid_until,
                commissioner,
            } => {
                pending.batch.keys.push(StoredKey {
                    key: key_text.clone(),
                    role: role.id().to_owned(),
                    region: *region,
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                    registered_at: log_index,
                    revoked_at: None,
                    commissioner: *commissioner,
                });
                "register"
            }
            KeyAction::Revoke => {
                pending.batch.revocations.push(KeyRevocation {
                    key: key_text.clone(),
                    log_index,
                });
                "revoke"
            }
        };
        self.registry.apply(statement, log_index);
        let receipt = log_entry(
            signed.entry(now),
            log_index,
            now,
            Some(signed.sha256()),
            pending,
        );
        Ok(Accepted::Key(KeyAccepted {
            log_index,
            action: action.to_owned(),
            key: key_text,
            receipt,
        }))
    }

    /// The current version of a form: accepted earlier in this batch, or
    /// stored.
    pub(super) fn current_form(
        &self,
        tps: RegionId,
        tps_code: RegionCode,
        contest: Contest,
        pending: &Pending,
    ) -> Result<Option<Current>, Refused> {
        match pending.forms.get(&(tps, contest)) {
            Some(c) => Ok(Some(c.clone())),
            None if !self.known.has_version(tps, contest) => Ok(None),
            None => self.stored_current(tps_code, contest),
        }
    }

    /// The digest of a form's current version: decided in this batch,
    /// accepted earlier in this run (memory), or read back from the store
    /// (a version from before a restart). A kecamatan's sign-off names one
    /// per TPS; memory spares the one writer a store read for each.
    pub(super) fn current_digest(
        &self,
        tps: RegionId,
        tps_code: RegionCode,
        contest: Contest,
        pending: &Pending,
    ) -> Result<Option<[u8; 32]>, Refused> {
        let remembered = self.known.digest(tps, contest);
        match remembered {
            Some(digest) if !pending.forms.contains_key(&(tps, contest)) => Ok(Some(digest)),
            _ => Ok(self
                .current_form(tps, tps_code, contest, pending)?
                .map(|c| c.digest)),
        }
    }

    /// The stored current version of a form: the form, its photos, its
    /// digest (the next version's `prev`) and who vouches for it, read back
    /// from its log entry.
    fn stored_current(
        &self,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<Option<Current>, Refused> {
        let Some(stored) = self.store.current_form(tps, contest)? else {
            return Ok(None);
        };
        let form = form::parse(contest, stored.form_json.as_bytes()).map_err(|e| {
            Refused::internal(format!(
                "stored form {tps}/{contest} v{} does not parse: {e}",
                stored.version
            ))
        })?;
        let index = stored.log_index;
        let entry = self.store.log_entries(index, index + 1)?;
        let (digest, photos, signed_by) = entry
            .first()
            .filter(|e| e.index == index)
            .and_then(|e| {
                let decoded = Entry::decode(&e.data).ok()?;
                let digest = version_digest(&decoded, &e.data)?;
                let signed_by = SignedBy::of(&decoded)?;
                let photos = match decoded {
                    Entry::FormV2(signed) => signed.signed.statement.photos,
                    _ => Vec::new(),
                };
                Some((digest, photos, signed_by))
            })
            .ok_or_else(|| {
                Refused::internal(format!(
                    "stored form {tps}/{contest} v{} has no readable log entry at {index}",
                    stored.version
                ))
            })?;
        Ok(Some(Current {
            version: stored.version,
            form,
            photos,
            digest,
            signed_by,
        }))
    }
}
