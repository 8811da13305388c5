//! The demo's plenary at a kecamatan: the simulated party witness objects
//! to one TPS's PPWP count, a simulated PPK member rules on it with a
//! signed reason, and an upheld objection is answered by a correction
//! signed with the member's `ppk` key, all through the public API as a
//! person and a field app would.
//!
//! Everything is deterministic by seed: the objection carries an
//! `Idempotency-Key`, the ruling and the correction are signed at fixed
//! times, so a restarted demo sends the same requests and gets the first
//! answers.

use saksi_api::RecapAccepted;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode, RegionId};
use saksi_log::Signer;
use saksi_sim::forms::draw_form;
use saksi_sim::rng::Rng;
use saksi_statement::form::Correction;
use saksi_statement::recap::{Decision, RulingStatement};
use saksi_statement::{Envelope, FormStatement};
use serde_json::json;

use super::{Form, RecapSimulation};
use crate::client::demo_keys::seal_form;
use crate::client::forms;
use crate::commands::demo_incidents::Failure;

/// When the simulated plenaries rule and correct: the day after election
/// day, 10:00 WIB.
const PLENARY_AT: UnixTime = UnixTime(1_707_966_000);

/// Kecamatan in a thousand whose plenary hears an objection.
const OBJECTIONS_PER_MILLE: u64 = 250;

/// What a plenary did.
pub enum Plenary {
    /// No objection at this kecamatan.
    Quiet,
    Upheld,
    Rejected,
}

impl RecapSimulation {
    /// The plenary of `kecamatan` for PPWP, if it is one that hears an
    /// objection: against the first TPS whose only form is the one the
    /// simulation sent (none is sent later that the correction would
    /// collide with).
    pub(super) async fn plenary(&self, kecamatan: RegionCode) -> Result<Plenary, Failure> {
        let contest = Contest::Ppwp;
        let Some(id) = self.election.tree.find(kecamatan) else {
            return Ok(Plenary::Quiet);
        };
        let mut rng = Rng::stream(self.seed, &[0x0B7E, u64::from(id.0)]);
        if !rng.chance(OBJECTIONS_PER_MILLE) {
            return Ok(Plenary::Quiet);
        }
        let Some((tps, form)) = self.first_untouched(kecamatan, contest) else {
            return Ok(Plenary::Quiet);
        };
        let Some(member) = self.keys.commissioners(kecamatan).first().cloned() else {
            return Ok(Plenary::Quiet);
        };
        let code = self.election.tree.get(tps).code;
        let objection = self.object(code, contest, &form).await?;
        let upheld = rng.chance(500);
        self.rule(&member, objection, upheld).await?;
        if !upheld {
            return Ok(Plenary::Rejected);
        }
        self.correct(&member, tps, contest, form, objection, &mut rng)
            .await?;
        Ok(Plenary::Upheld)
    }

    /// The first TPS of `kecamatan` (in tree order) at version 1 with no
    /// later version planned.
    fn first_untouched(&self, kecamatan: RegionCode, contest: Contest) -> Option<(RegionId, Form)> {
        let id = self.election.tree.find(kecamatan)?;
        let book = self.book();
        self.election.kecamatan_tps(id, contest).find_map(|tps| {
            book.forms
                .get(&(tps, contest))
                .filter(|f| f.version == 1 && f.last)
                .map(|f| (tps, *f))
        })
    }

    /// The witness's objection to paslon 01's count; its log index.
    async fn object(&self, tps: RegionCode, contest: Contest, form: &Form) -> Result<u64, Failure> {
        let body = json!({
            "tps": tps.to_string(),
            "contest": contest.id(),
            "version": form.version,
            "fields": ["options.01"],
            "text": "Salinan C.Hasil saksi kami mencatat suara paslon 01 berbeda dari angka ini.",
        });
        let key = format!("sim-objection-{tps}-{contest}-{}", form.version);
        let accepted: RecapAccepted = self
            .witness
            .lock()
            .await
            .post_as_witness("/api/v1/objections", &key, body.to_string())
            .await?;
        Ok(accepted.log_index)
    }

    /// The member's signed ruling on the objection at `objection`.
    async fn rule(&self, member: &Signer, objection: u64, upheld: bool) -> Result<(), Failure> {
        let statement = RulingStatement {
            origin: self.keys.origin().to_owned(),
            objection,
            decision: if upheld {
                Decision::Upheld
            } else {
                Decision::Rejected
            },
            reason: if upheld {
                "Dihitung ulang dari kotak suara dalam pleno: keberatan diterima.".into()
            } else {
                "Angka di C.Hasil cocok dengan salinan PPS: keberatan ditolak.".into()
            },
            signed_at: PLENARY_AT,
        };
        let envelope =
            Envelope::sign(statement.to_object(), member).map_err(|e| Failure::Local(e.into()))?;
        let path = format!("/api/v1/objections/{objection}/ruling");
        self.post(&path, envelope.to_value().to_string().into_bytes())
            .await
    }

    /// The corrected form, the next version, signed by the member.
    async fn correct(
        &self,
        member: &Signer,
        tps: RegionId,
        contest: Contest,
        form: Form,
        objection: u64,
        rng: &mut Rng,
    ) -> Result<(), Failure> {
        let Some(counted) = draw_form(&self.election, tps, contest, rng) else {
            return Ok(());
        };
        let statement = FormStatement {
            origin: self.keys.origin().to_owned(),
            tps: self.election.tree.get(tps).code,
            contest,
            version: form.version + 1,
            prev: Some(form.digest),
            form: counted,
            photos: vec![],
            signed_at: PLENARY_AT,
            on_behalf: None,
            correction: Some(Correction {
                objection,
                reason: "Hasil hitung ulang dalam pleno PPK.".into(),
            }),
        };
        let (body, digest) = seal_form(&statement, member).map_err(Failure::Local)?;
        let path = forms::path(statement.tps, contest);
        self.post(&path, body).await?;
        self.book().forms.insert(
            (tps, contest),
            Form {
                version: statement.version,
                digest,
                last: true,
            },
        );
        Ok(())
    }
}
