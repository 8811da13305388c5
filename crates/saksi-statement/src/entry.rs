//! The log entry codec: how every kind of fact is written as a log entry
//! and read back, one implementation for the server (which writes the
//! entries and reads them back for receipts and `prev`) and the auditor
//! (which reads every entry of the log). Formats in docs/log-entries.md.
//!
//! A fact stated by a signed statement is logged as a [`SignedEntry`]: the
//! statement exactly as signed, its signature, the signer's verifier key
//! and when the log accepted it, `{"logged_at", "signature", "signer",
//! "statement", "type", "v"}`, so anyone can check the signature from the
//! log alone. The statement's own format and rules are its type's
//! ([`Statement`]): `form` v2 is a [`FormStatement`], `key` v1 a
//! [`KeyStatement`]. The unsigned kind `form` v1 is [`FormEntryV1`];
//! `incident` v1 ([`IncidentEntry`]) is an incident's event, which carries
//! its signed statement only when a KPPS device filed it. `objection` v1
//! ([`ObjectionEntry`]) is said in a plenary through a session; `ruling`
//! v1 is a PPK member's signed [`RulingStatement`]; `signoff` v1 one
//! commissioner's confirmation of a [`SignoffStatement`], `reopen` v1 one
//! of a [`ReopenStatement`], `no_form` v1 a PPK member's signed
//! [`NoFormStatement`]; `shipment` v1 a sending office's signed
//! [`ShipmentStatement`], `delivery` v1 the receiving office's signed
//! [`DeliveryStatement`].
//!
//! Entries are RFC 8785 bytes, read in place after one checking pass
//! (`saksi_log::canonical_check`): a statement's bytes inside a canonical
//! entry are the statement's own RFC 8785 bytes, which is what its
//! signature covers and what its digest hashes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::canonical_check::{self, NotCanonical};
use sha2::{Digest, Sha256};

use crate::Statement;
use crate::form::{FormEntryV1, FormStatement};
use crate::incident::{IncidentEntry, IncidentStatement};
use crate::key::KeyStatement;
use crate::logistics::{DeliveryStatement, ShipmentStatement};
use crate::read::Object;
use crate::recap::{
    NoFormStatement, ObjectionEntry, ReopenStatement, RulingStatement, SignoffStatement,
};

/// The members of a signed entry, sorted.
const SIGNED_MEMBERS: [&str; 6] = ["logged_at", "signature", "signer", "statement", "type", "v"];

/// The kinds of entry this program reads, by `type` and `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    FormV1,
    FormV2,
    KeyV1,
    IncidentV1,
    ObjectionV1,
    RulingV1,
    SignoffV1,
    ReopenV1,
    NoFormV1,
    ShipmentV1,
    DeliveryV1,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 11] = [
        Kind::FormV1,
        Kind::FormV2,
        Kind::KeyV1,
        Kind::IncidentV1,
        Kind::ObjectionV1,
        Kind::RulingV1,
        Kind::SignoffV1,
        Kind::ReopenV1,
        Kind::NoFormV1,
        Kind::ShipmentV1,
        Kind::DeliveryV1,
    ];

    fn of(kind: &str, v: u64) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.type_and_version() == (kind, v))
    }

    /// The entry's `type` and `v`.
    pub fn type_and_version(self) -> (&'static str, u64) {
        match self {
            Kind::FormV1 => ("form", 1),
            Kind::FormV2 => (FormStatement::TYPE, FormStatement::ENTRY_VERSION),
            Kind::KeyV1 => (KeyStatement::TYPE, KeyStatement::ENTRY_VERSION),
            Kind::IncidentV1 => (IncidentStatement::TYPE, IncidentStatement::ENTRY_VERSION),
            Kind::ObjectionV1 => (ObjectionEntry::TYPE, ObjectionEntry::VERSION),
            Kind::RulingV1 => (RulingStatement::TYPE, RulingStatement::ENTRY_VERSION),
            Kind::SignoffV1 => (SignoffStatement::TYPE, SignoffStatement::ENTRY_VERSION),
            Kind::ReopenV1 => (ReopenStatement::TYPE, ReopenStatement::ENTRY_VERSION),
            Kind::NoFormV1 => (NoFormStatement::TYPE, NoFormStatement::ENTRY_VERSION),
            Kind::ShipmentV1 => (ShipmentStatement::TYPE, ShipmentStatement::ENTRY_VERSION),
            Kind::DeliveryV1 => (DeliveryStatement::TYPE, DeliveryStatement::ENTRY_VERSION),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, v) = self.type_and_version();
        write!(f, "{kind} v{v}")
    }
}

/// Why bytes are not an entry this program can read, or an entry could
/// not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("not canonical JSON (RFC 8785): {0}")]
    NotCanonical(#[from] NotCanonical),
    #[error("not a JSON object")]
    NotObject,
    /// Another `type` and `v` (the label, e.g. `objection v1`, or `? v?`).
    #[error("an entry of a type or version this program does not know: {0}")]
    Unknown(String),
    /// A known kind whose members break its format; the message says how.
    #[error("{kind}: {message}")]
    Malformed { kind: Kind, message: String },
    /// A value that has no canonical form (a bug in the caller).
    #[error("the entry cannot be encoded: {0}")]
    Encode(String),
}

/// A statement, its RFC 8785 bytes and its signature: what a KPPS device
/// or an officer sent, as the log keeps it. Not verified by itself: the
/// server verifies before logging, the auditor after reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<S> {
    pub statement: S,
    /// The statement's RFC 8785 bytes.
    pub bytes: Vec<u8>,
    pub signature: [u8; 64],
    /// The signer's verifier key text (`name+<key id>+<base64>`); parsing
    /// it is left to the caller, who may keep parsed keys.
    pub signer: String,
}

impl<S: Statement> Signed<S> {
    /// SHA-256 of the statement's RFC 8785 bytes: what a form's next
    /// version names as `prev`, what a retry is recognised by, and the
    /// receipt's `statement_sha256`.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    /// The bytes the signature covers: [`crate::STATEMENT_PREFIX`] and the
    /// statement's bytes.
    pub fn signed_bytes(&self) -> Vec<u8> {
        crate::signed_bytes(&self.bytes)
    }

    /// The log entry of this statement accepted at `logged_at`: members in
    /// sorted order, assembled; the signer's key name is the one member
    /// that may need escaping, so it goes through the general encoder. A
    /// test holds this against the general encoder.
    pub fn entry(&self, logged_at: UnixTime) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 256);
        out.extend_from_slice(
            format!(
                "{{\"logged_at\":\"{logged_at}\",\"signature\":\"{}\",\"signer\":",
                STANDARD.encode(self.signature)
            )
            .as_bytes(),
        );
        saksi_log::write_canonical_string(&self.signer, &mut out);
        out.extend_from_slice(b",\"statement\":");
        out.extend_from_slice(&self.bytes);
        out.extend_from_slice(
            format!(",\"type\":\"{}\",\"v\":{}}}", S::TYPE, S::ENTRY_VERSION).as_bytes(),
        );
        out
    }
}

/// A signed statement as logged: the statement and when the log accepted
/// it, the time at which the signer's key validity is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEntry<S> {
    pub signed: Signed<S>,
    pub logged_at: UnixTime,
}

impl<S: Statement> SignedEntry<S> {
    /// The entry bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.signed.entry(self.logged_at)
    }

    /// Reads the members of a signed entry of type `S`.
    fn read(
        object: &Object<'_>,
        layout: &saksi_log::canonical_check::Layout,
    ) -> Result<SignedEntry<S>, String> {
        if object.names() != SIGNED_MEMBERS {
            return Err(format!(
                "signed entry members are {:?}, not {SIGNED_MEMBERS:?}",
                object.names()
            ));
        }
        Ok(SignedEntry {
            signed: read_signed(object, layout)?,
            logged_at: object.utc_seconds("logged_at").map_err(|e| e.to_string())?,
        })
    }
}

/// Reads the `signature`, `signer` and `statement` members of an entry
/// that carries a signed statement of type `S`.
pub(crate) fn read_signed<S: Statement>(
    object: &Object<'_>,
    layout: &saksi_log::canonical_check::Layout,
) -> Result<Signed<S>, String> {
    let statement = object
        .object(layout, "statement")
        .ok_or("`statement` is not an object")?;
    let bytes = object.get("statement").unwrap_or_default();
    let signature = object
        .get("signature")
        .and_then(canonical_check::as_str)
        .and_then(|s| STANDARD.decode(s.as_bytes()).ok())
        .and_then(|s| <[u8; 64]>::try_from(s).ok())
        .ok_or("`signature` is not base64 of 64 bytes")?;
    let signer = object.str("signer").map_err(|e| e.to_string())?;
    let statement =
        S::read(&statement).map_err(|e| format!("the {} statement is refused: {e}", S::TYPE))?;
    Ok(Signed {
        statement,
        bytes: bytes.to_vec(),
        signature,
        signer: signer.into_owned(),
    })
}

/// A decoded log entry of a kind this program knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A version entered through an officer's session (old logs).
    FormV1(FormEntryV1),
    /// A KPPS's signed C.Hasil statement.
    FormV2(SignedEntry<FormStatement>),
    /// An officer's key registration or revocation.
    KeyV1(SignedEntry<KeyStatement>),
    /// An incident's event (with its signed statement for a filing a KPPS
    /// device signed).
    IncidentV1(IncidentEntry),
    /// A witness's or Bawaslu's objection against a form version.
    ObjectionV1(ObjectionEntry),
    /// A PPK member's signed ruling on an objection.
    RulingV1(SignedEntry<RulingStatement>),
    /// A commissioner's confirmation of a region's recap sign-off.
    SignoffV1(SignedEntry<SignoffStatement>),
    /// A commissioner's confirmation of a reopen of a final region.
    ReopenV1(SignedEntry<ReopenStatement>),
    /// A PPK member's reason why a TPS has no form.
    NoFormV1(SignedEntry<NoFormStatement>),
    /// A sending office's (or supplier's) shipment down the logistics
    /// chain.
    ShipmentV1(SignedEntry<ShipmentStatement>),
    /// The receiving office's proof of delivery of a shipment.
    DeliveryV1(SignedEntry<DeliveryStatement>),
}

impl Entry {
    /// Reads entry bytes: they must be canonical, an object, of a known
    /// `type` and `v`, with exactly that kind's members and rules.
    pub fn decode(bytes: &[u8]) -> Result<Entry, EntryError> {
        let layout = canonical_check::check(bytes)?;
        let object = Object::top(bytes, &layout).ok_or(EntryError::NotObject)?;
        let kind = object.get("type").and_then(canonical_check::as_str);
        let v = object.get("v").and_then(canonical_check::as_u64);
        let found = kind.as_deref().zip(v).and_then(|(k, v)| Kind::of(k, v));
        let Some(found) = found else {
            return Err(EntryError::Unknown(format!(
                "{} v{}",
                kind.as_deref().unwrap_or("?"),
                v.map_or("?".into(), |v| v.to_string())
            )));
        };
        let malformed = |message| EntryError::Malformed {
            kind: found,
            message,
        };
        Ok(match found {
            Kind::FormV1 => Entry::FormV1(FormEntryV1::read(&object, &layout).map_err(malformed)?),
            Kind::FormV2 => Entry::FormV2(SignedEntry::read(&object, &layout).map_err(malformed)?),
            Kind::KeyV1 => Entry::KeyV1(SignedEntry::read(&object, &layout).map_err(malformed)?),
            Kind::IncidentV1 => {
                Entry::IncidentV1(IncidentEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::ObjectionV1 => {
                Entry::ObjectionV1(ObjectionEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::RulingV1 => {
                Entry::RulingV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::SignoffV1 => {
                Entry::SignoffV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::ReopenV1 => {
                Entry::ReopenV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::NoFormV1 => {
                Entry::NoFormV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::ShipmentV1 => {
                Entry::ShipmentV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
            Kind::DeliveryV1 => {
                Entry::DeliveryV1(SignedEntry::read(&object, &layout).map_err(malformed)?)
            }
        })
    }

    /// The entry bytes, exactly as decoded.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Entry::FormV1(e) => e.encode(),
            Entry::FormV2(e) => e.encode(),
            Entry::KeyV1(e) => e.encode(),
            Entry::IncidentV1(e) => e.encode(),
            // A decoded objection's members all have canonical forms.
            Entry::ObjectionV1(e) => e.encode().unwrap_or_default(),
            Entry::RulingV1(e) => e.encode(),
            Entry::SignoffV1(e) => e.encode(),
            Entry::ReopenV1(e) => e.encode(),
            Entry::NoFormV1(e) => e.encode(),
            Entry::ShipmentV1(e) => e.encode(),
            Entry::DeliveryV1(e) => e.encode(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Entry::FormV1(_) => Kind::FormV1,
            Entry::FormV2(_) => Kind::FormV2,
            Entry::KeyV1(_) => Kind::KeyV1,
            Entry::IncidentV1(_) => Kind::IncidentV1,
            Entry::ObjectionV1(_) => Kind::ObjectionV1,
            Entry::RulingV1(_) => Kind::RulingV1,
            Entry::SignoffV1(_) => Kind::SignoffV1,
            Entry::ReopenV1(_) => Kind::ReopenV1,
            Entry::NoFormV1(_) => Kind::NoFormV1,
            Entry::ShipmentV1(_) => Kind::ShipmentV1,
            Entry::DeliveryV1(_) => Kind::DeliveryV1,
        }
    }

    /// When the log accepted the fact.
    pub fn logged_at(&self) -> UnixTime {
        match self {
            Entry::FormV1(e) => e.submitted_at,
            Entry::FormV2(e) => e.logged_at,
            Entry::KeyV1(e) => e.logged_at,
            Entry::IncidentV1(e) => e.logged_at,
            Entry::ObjectionV1(e) => e.logged_at,
            Entry::RulingV1(e) => e.logged_at,
            Entry::SignoffV1(e) => e.logged_at,
            Entry::ReopenV1(e) => e.logged_at,
            Entry::NoFormV1(e) => e.logged_at,
            Entry::ShipmentV1(e) => e.logged_at,
            Entry::DeliveryV1(e) => e.logged_at,
        }
    }

    /// The form version an entry records: (TPS, contest, version).
    pub fn form_version(&self) -> Option<(RegionCode, Contest, u32)> {
        match self {
            Entry::FormV1(e) => Some((e.tps, e.contest, e.version)),
            Entry::FormV2(e) => {
                let s = &e.signed.statement;
                Some((s.tps, s.contest, s.version))
            }
            Entry::KeyV1(_)
            | Entry::IncidentV1(_)
            | Entry::ObjectionV1(_)
            | Entry::RulingV1(_)
            | Entry::SignoffV1(_)
            | Entry::ReopenV1(_)
            | Entry::NoFormV1(_)
            | Entry::ShipmentV1(_)
            | Entry::DeliveryV1(_) => None,
        }
    }

    /// SHA-256 of the statement's RFC 8785 bytes, for a signed entry.
    pub fn statement_sha256(&self) -> Option<[u8; 32]> {
        match self {
            Entry::FormV1(_) => None,
            Entry::FormV2(e) => Some(e.signed.sha256()),
            Entry::KeyV1(e) => Some(e.signed.sha256()),
            Entry::IncidentV1(e) => e.signed.as_ref().map(Signed::sha256),
            Entry::ObjectionV1(_) => None,
            Entry::RulingV1(e) => Some(e.signed.sha256()),
            Entry::SignoffV1(e) => Some(e.signed.sha256()),
            Entry::ReopenV1(e) => Some(e.signed.sha256()),
            Entry::NoFormV1(e) => Some(e.signed.sha256()),
            Entry::ShipmentV1(e) => Some(e.signed.sha256()),
            Entry::DeliveryV1(e) => Some(e.signed.sha256()),
        }
    }
}

/// SHA-256 of entry bytes: a receipt's `entry_sha256`, and a `form` v1
/// version's digest.
pub fn entry_sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
