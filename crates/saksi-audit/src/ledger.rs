//! Replaying decoded entries in index order (docs/log-entries.md, "The key
//! chain" and "The counting rule"):
//!
//! - a `key` entry changes the key chain only if its signature verifies and
//!   its signer may make it at that point of the log
//!   (`saksi_statement::Registry`, the rules the server applies, judged at
//!   the entry's `logged_at`);
//! - a `form` v2 entry counts only if its signature verifies, its signer is
//!   a key that may sign it at `logged_at` (a `kpps` key registered for the
//!   TPS, or with `on_behalf` a `pps` or `ppk` key of its desa or
//!   kecamatan), it is the next version of its form with `prev` the digest
//!   of the current one, and it is not signed on behalf over a version the
//!   KPPS device signed (the same rules the server applies);
//! - a `form` v1 entry (entered through a session, signed by nobody) is a
//!   discrepancy and does not count, unless its index is below
//!   `--allow-unsigned-before` (an old log's unsigned prefix): then it
//!   counts if it is the next version;
//! - an `objection` entry counts only if its objector's region contains
//!   the TPS and it disputes the current version of a form that exists; a
//!   `ruling` only if its signature verifies, its signer is a `ppk` key of
//!   the objection's kecamatan at `logged_at`, and the objection has no
//!   ruling yet; a `form` v2 with `correction` only if its signer is a
//!   `ppk` key of the TPS's kecamatan and it answers an upheld objection of
//!   that form that no correction answered yet
//!   (`saksi_statement::Review`, the rules the server applies);
//! - a `signoff` entry is a commissioner's confirmation, replayed by
//!   [`crate::signoffs`]; a form version or an objection below a region
//!   whose sign-off is final is a discrepancy;
//! - a `shipment` or `delivery` entry is replayed by [`crate::logistics`]
//!   against the key chain and every office's stock;
//! - an `incident` entry follows its incident's lifecycle
//!   ([`crate::incidents`]); a filing a KPPS device signed counts only if
//!   its signature verifies and its signer is the TPS's `kpps` key at
//!   `logged_at`;
//! - an entry that fails any check is a discrepancy per failure, and does
//!   not count (a form) or is not applied (a key): the chains carry on from
//!   the last entry that passed.

use std::collections::HashMap;

use saksi_core::RegionCode;
use saksi_log::Verifier;
use saksi_statement::recap::ObjectionEntry;
use saksi_statement::{KeyAction, KeyRole, Logistics, Registry, Review, SignedBy, Signoffs};

use saksi_statement::entry::Kind;

use crate::entry::{Body, Decoded, FormVersion, KeyEntry, Label, RulingEntry, Signed};
use crate::forms::Forms;
use crate::incidents::{IncidentBody, Incidents};
use crate::regions::Regions;
use crate::report::{Discrepancy, Resubmission, Rotation};

/// Counts for the report.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Keys registered, by role (kpu-prov, kpu-kabkota, kpps, pps, ppk,
    /// kpu-ri, supplier).
    pub registered: [u64; KeyRole::ALL.len()],
    /// Keys revoked, by the revoked key's role.
    pub revoked: [u64; KeyRole::ALL.len()],
    /// Key entries not applied.
    pub keys_refused: u64,
    /// Signatures checked and, of them, those that do not verify.
    pub signatures: u64,
    pub bad_signatures: u64,
    /// Counted form versions: signed by the TPS's KPPS key (v2), signed
    /// on its behalf by a PPS or PPK key (v2), and entered through a
    /// session, signed by nobody (v1, accepted below
    /// `--allow-unsigned-before` only).
    pub forms_signed: u64,
    pub forms_on_behalf: u64,
    pub forms_unsigned: u64,
    /// Form entries that fail a check (not counted).
    pub forms_refused: u64,
    /// Counted versions that stopped counting because their TPS is not in
    /// the published region list.
    pub forms_excluded: u64,
    /// Counted corrections: versions a PPK signed answering an upheld
    /// objection.
    pub forms_corrected: u64,
    /// Objections and rulings applied, and those refused.
    pub objections: u64,
    pub rulings: u64,
    pub review_refused: u64,
    /// Sign-off and reopen confirmations applied and refused (both
    /// counted as refused sign-offs), the sign-offs they made final by
    /// level (national, province, kab/kota, kecamatan), and the reopens
    /// that took effect.
    pub confirmations: u64,
    pub reopens: u64,
    /// Reasons for no form applied (refused ones count as refused
    /// sign-offs).
    pub no_forms: u64,
    pub signoffs_refused: u64,
    pub signoffs_final: [u64; 4],
    /// Time spent checking each sign-off's children against the log and
    /// its totals against their sum: what the recap adds to an audit.
    pub signoff_sums: std::time::Duration,
    /// Shipments and deliveries applied, and those refused.
    pub shipments: u64,
    pub deliveries: u64,
    pub logistics_refused: u64,
}

/// Position of a role in the per-role counts.
pub fn role_slot(role: KeyRole) -> usize {
    match role {
        KeyRole::KpuProv => 0,
        KeyRole::KpuKabkota => 1,
        KeyRole::Kpps => 2,
        KeyRole::Pps => 3,
        KeyRole::Ppk => 4,
        KeyRole::KpuRi => 5,
        KeyRole::Supplier => 6,
    }
}

/// A revoked KPPS key, until its TPS gets another.
#[derive(Debug)]
struct Revoked {
    key: String,
    registered_at: u64,
    revoked_at: u64,
}

/// Everything learnt from the entries so far.
#[derive(Debug)]
pub struct Ledger {
    pub registry: Registry,
    pub forms: Forms,
    pub regions: Regions,
    pub stats: Stats,
    pub resubmissions: Vec<Resubmission>,
    pub rotations: Vec<Rotation>,
    pub incidents: Incidents,
    /// The objections, their rulings and corrections so far.
    pub review: Review,
    /// The sign-offs so far: pending, final, and what they lock.
    pub signoffs: Signoffs,
    /// The shipments so far, their deliveries and every office's stock.
    pub logistics: Logistics,
    revoked_kpps: HashMap<RegionCode, Revoked>,
    /// `form` v1 entries below this index are accepted (an old log's
    /// unsigned prefix); from it on, each is a discrepancy.
    pub allow_unsigned_before: u64,
}

impl Ledger {
    /// An empty ledger over the pinned root keys.
    pub fn new(roots: &[Verifier], regions: Regions) -> Ledger {
        Ledger {
            registry: Registry::new(roots),
            forms: Forms::default(),
            regions,
            stats: Stats::default(),
            resubmissions: Vec::new(),
            rotations: Vec::new(),
            incidents: Incidents::default(),
            review: Review::default(),
            signoffs: Signoffs::default(),
            logistics: Logistics::default(),
            revoked_kpps: HashMap::new(),
            allow_unsigned_before: 0,
        }
    }

    /// Replays entry `index`; every problem goes to `found`.
    pub fn apply(&mut self, index: u64, decoded: Decoded, found: &mut Vec<Discrepancy>) {
        let Decoded {
            label,
            body,
            problems,
        } = decoded;
        match body {
            Some(Body::Form(form)) => self.form(index, &label, form, problems, found),
            Some(Body::Key(key)) => self.key(index, key, problems, found),
            Some(Body::Incident(incident)) => self.incident(index, incident, problems, found),
            Some(Body::Objection(objection)) => self.objection(index, objection, problems, found),
            Some(Body::Ruling(ruling)) => self.ruling(index, ruling, problems, found),
            Some(Body::Signoff(signoff)) => self.signoff(index, signoff, problems, found),
            Some(Body::Reopen(reopen)) => self.reopen(index, reopen, problems, found),
            Some(Body::NoForm(no_form)) => self.no_form(index, no_form, problems, found),
            Some(Body::Shipment(shipment)) => self.shipment(index, shipment, problems, found),
            Some(Body::Delivery(delivery)) => self.delivery(index, delivery, problems, found),
            None => {
                for p in problems {
                    let message = match label {
                        // The problem names what it is.
                        Label::Other(_) => p,
                        _ => format!("{label}: {p}"),
                    };
                    found.push(Discrepancy::entry(index, message));
                }
                match label {
                    Label::Known(Kind::FormV1 | Kind::FormV2) => self.stats.forms_refused += 1,
                    Label::Known(Kind::KeyV1) => self.stats.keys_refused += 1,
                    Label::Known(Kind::IncidentV1) => self.incidents.events_refused += 1,
                    Label::Known(Kind::ObjectionV1 | Kind::RulingV1) => {
                        self.stats.review_refused += 1;
                    }
                    Label::Known(Kind::SignoffV1 | Kind::ReopenV1 | Kind::NoFormV1) => {
                        self.stats.signoffs_refused += 1;
                    }
                    Label::Known(Kind::ShipmentV1 | Kind::DeliveryV1) => {
                        self.stats.logistics_refused += 1;
                    }
                    Label::Other(_) => {}
                }
            }
        }
    }

    fn form(
        &mut self,
        index: u64,
        label: &Label,
        f: FormVersion,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        if let Some(s) = &f.signed {
            problems.extend(self.signature_problem(s));
            if let Err(refusal) =
                self.registry
                    .check_form_signer(&s.signer, f.tps, f.signed_by, s.logged_at)
            {
                problems.push(format!(
                    "the key chain refuses its signer {} at {}: {refusal}",
                    s.signer, s.logged_at
                ));
            }
        } else if index >= self.allow_unsigned_before {
            problems.push(
                "unsigned: entered through a session, signed by no key (allowed only below --allow-unsigned-before)"
                    .into(),
            );
        }
        match self.forms.current(f.tps, f.contest) {
            None if f.version == 1 && f.prev.is_none() => {}
            None if f.version == 1 => problems.push("version 1 has a `prev`".into()),
            None => problems.push(format!(
                "version {} has no version {} before it",
                f.version,
                f.version - 1
            )),
            Some(cur) if f.version != cur.version.saturating_add(1) => problems.push(format!(
                "version {} follows version {}",
                f.version, cur.version
            )),
            Some(cur) if f.prev != Some(cur.digest) => problems.push(format!(
                "`prev` is not the digest of version {} ({})",
                cur.version,
                hex::encode(cur.digest)
            )),
            Some(cur) if !f.signed_by.may_supersede(cur.signed_by) => problems.push(format!(
                "signed on behalf over version {}, which the KPPS device signed",
                cur.version
            )),
            Some(_) => {}
        }
        if let Some(region) = self.signoffs.locked_by(f.contest, f.tps) {
            problems.push(format!(
                "the {} recap of {region} is final: no version below it until it is reopened",
                f.contest
            ));
        }
        if let Some(c) = &f.correction
            && let Err(refusal) = self.review.check_correction(c, f.tps, f.contest)
        {
            problems.push(format!("the correction is refused: {refusal}"));
        }
        if problems.is_empty() && !self.regions.note_tps(f.tps, index) {
            problems.push(format!("TPS {} is not in the published region list", f.tps));
        }
        if problems.is_empty()
            && let Err(e) =
                self.forms
                    .set(f.tps, f.contest, f.version, f.digest, f.signed_by, &f.tally)
        {
            problems.push(format!("cannot be counted: {e}"));
        }
        if !problems.is_empty() {
            self.stats.forms_refused += 1;
            let subject = format!("{label} {} {} version {}", f.tps, f.contest, f.version);
            Discrepancy::each(found, index, &subject, problems, " (not counted)");
            return;
        }
        match f.signed_by {
            SignedBy::Kpps => self.stats.forms_signed += 1,
            SignedBy::OnBehalf => self.stats.forms_on_behalf += 1,
            SignedBy::Session => self.stats.forms_unsigned += 1,
            SignedBy::Correction => self.stats.forms_corrected += 1,
        }
        if let Some(c) = &f.correction {
            self.review.apply_correction(c, index);
        }
        self.signoffs.form_changed(f.contest, f.tps);
        if f.version > 1 {
            self.resubmissions.push(Resubmission {
                index,
                tps: f.tps,
                contest: f.contest,
                version: f.version,
                signed: f.signed.is_some(),
            });
        }
    }

    fn key(
        &mut self,
        index: u64,
        k: KeyEntry,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &k.statement;
        let s = &k.signed;
        problems.extend(self.signature_problem(s));
        let regions = &self.regions;
        if let Err(refusal) =
            self.registry
                .check_key_statement(&s.signer, statement, s.logged_at, &|code| {
                    regions.exists(code)
                })
        {
            problems.push(format!(
                "the key chain refuses it (signed by {} at {}): {refusal}",
                s.signer, s.logged_at
            ));
        }
        let subject = match &statement.action {
            KeyAction::Register { role, region, .. } => format!(
                "key v1 registering {} as {} for {region}",
                statement.key,
                role.id()
            ),
            KeyAction::Revoke => format!("key v1 revoking {}", statement.key),
        };
        if !problems.is_empty() {
            self.stats.keys_refused += 1;
            Discrepancy::each(found, index, &subject, problems, " (not applied)");
            return;
        }
        match &statement.action {
            KeyAction::Register { role, region, .. } => {
                self.stats.registered[role_slot(*role)] += 1;
                if *role == KeyRole::Kpps {
                    self.regions.note_tps(*region, index);
                    if let Some(old) = self.revoked_kpps.remove(region) {
                        self.rotations.push(Rotation {
                            tps: *region,
                            old_key: old.key,
                            old_registered_at: old.registered_at,
                            revoked_at: old.revoked_at,
                            new_key: statement.key.to_string(),
                            new_registered_at: index,
                        });
                    }
                }
            }
            KeyAction::Revoke => {
                if let Some(record) = self.registry.get(&statement.key).copied() {
                    self.stats.revoked[role_slot(record.role)] += 1;
                    if record.role == KeyRole::Kpps {
                        self.revoked_kpps.insert(
                            record.region,
                            Revoked {
                                key: statement.key.to_string(),
                                registered_at: record.registered_at,
                                revoked_at: index,
                            },
                        );
                    }
                }
            }
        }
        self.registry.apply(statement, index);
    }

    /// Counts a checked signature; the problem if it does not verify.
    pub(crate) fn signature_problem(&mut self, s: &Signed) -> Option<String> {
        self.stats.signatures += 1;
        (!s.valid).then(|| {
            self.stats.bad_signatures += 1;
            format!("the signature does not verify under {}", s.signer)
        })
    }

    /// Replays an incident event: a filing a KPPS device signed is
    /// checked against the key chain here, the rest by [`Incidents`].
    fn incident(
        &mut self,
        index: u64,
        i: IncidentBody,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        if let Some(f) = &i.filing {
            problems.extend(self.signature_problem(&f.signed));
            if let Err(refusal) = self.registry.check_form_signer(
                &f.signed.signer,
                f.tps,
                SignedBy::Kpps,
                f.signed.logged_at,
            ) {
                problems.push(format!(
                    "the key chain refuses its signer {} at {}: {refusal}",
                    f.signed.signer, f.signed.logged_at
                ));
            }
        }
        self.incidents.apply(index, i, problems, found);
    }

    /// Replays an objection against the current version of its form.
    fn objection(
        &mut self,
        index: u64,
        o: ObjectionEntry,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let o = o.objection;
        let current = self.forms.current(o.tps, o.contest).map(|c| c.version);
        if let Err(refusal) = self.review.check_objection(&o, current) {
            problems.push(format!("the review refuses it: {refusal}"));
        }
        if let Some(region) = self.signoffs.locked_by(o.contest, o.tps) {
            problems.push(format!("the {} recap of {region} is final", o.contest));
        }
        if !problems.is_empty() {
            self.stats.review_refused += 1;
            let subject = format!(
                "objection v1 against {} {} version {}",
                o.tps, o.contest, o.version
            );
            Discrepancy::each(found, index, &subject, problems, " (not applied)");
            return;
        }
        self.stats.objections += 1;
        self.review.apply_objection(o, index);
    }

    /// Replays a PPK member's ruling: its signer is checked against the
    /// objection's TPS.
    fn ruling(
        &mut self,
        index: u64,
        r: RulingEntry,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        problems.extend(self.signature_problem(&r.signed));
        match self.review.check_ruling(&r.statement) {
            Ok(state) => {
                if let Err(refusal) = self.registry.check_ppk_member(
                    &r.signed.signer,
                    state.objection.tps,
                    r.signed.logged_at,
                ) {
                    problems.push(format!(
                        "the key chain refuses its signer {} at {}: {refusal}",
                        r.signed.signer, r.signed.logged_at
                    ));
                }
            }
            Err(refusal) => problems.push(format!("the review refuses it: {refusal}")),
        }
        if !problems.is_empty() {
            self.stats.review_refused += 1;
            let subject = format!("ruling v1 on the objection at {}", r.statement.objection);
            Discrepancy::each(found, index, &subject, problems, " (not applied)");
            return;
        }
        self.stats.rulings += 1;
        self.review.apply_ruling(&r.statement, index);
    }

    /// TPS found missing from the region list after their entries were
    /// replayed: reported at the first entry naming each, and their forms
    /// stop counting.
    pub fn exclude_missing(
        &mut self,
        missing: Vec<(RegionCode, u64)>,
        found: &mut Vec<Discrepancy>,
    ) {
        for (tps, index) in missing {
            let n = self.forms.exclude(tps);
            self.stats.forms_excluded += u64::from(n);
            found.push(Discrepancy::entry(
                index,
                format!(
                    "TPS {tps} (named here first) is not in the published region list; its {n} form{} not counted",
                    if n == 1 { " is" } else { "s are" }
                ),
            ));
        }
    }
}
