//! Verifying the log page by page, as pages arrive, on both cores:
//!
//! 1. in parallel, each half of a page on its own thread: the leaf hash,
//!    the canonical bytes and the entry's own checks ([`entry::decode`],
//!    the form parsed to its tallies), then every signature of the half in
//!    one `saksi_log::verify_batch` (signatures do not depend on the
//!    chain, so they are checked before it);
//! 2. in order: the leaf appended to the compact range and the entry
//!    replayed against the version and key chains ([`Ledger`]);
//! 3. the caller drops the page (after saving it, if it keeps a state):
//!    what stays is the compact state (per form, its current version's
//!    digest and tallies; per key, its record).

use std::collections::{BTreeMap, HashMap};

use saksi_log::{CompactRange, Hash, Verifier, leaf_hash};
use saksi_statement::entry::Kind;

use crate::entry::{self, Body, Context, Decoded, Label, Signed, Signers};
use crate::ledger::Ledger;
use crate::regions::Regions;
use crate::report::Discrepancy;

/// Below this many entries a page is not split across threads.
const SPLIT_MIN: usize = 64;

/// One entry as the log serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedEntry {
    /// The entry's index as served.
    pub index: u64,
    /// The exact entry bytes.
    pub data: Vec<u8>,
    /// The leaf hash the server states (none for an entry read back from
    /// a saved state, which was checked when it was first fetched).
    pub leaf_hash: Option<Hash>,
}

/// The log as verified so far.
pub struct Replay {
    pub range: CompactRange,
    pub ledger: Ledger,
    signers: Signers,
    origin: String,
    previous_origins: Vec<String>,
    pub found: Vec<Discrepancy>,
    /// Entries of each known kind (`form v1`, `form v2`, `key v1`), and
    /// of others.
    kinds: [u64; Kind::ALL.len()],
    other_kinds: BTreeMap<String, u64>,
}

impl Replay {
    pub fn new(
        roots: &[Verifier],
        origin: &str,
        previous_origins: &[String],
        ledger_regions: Regions,
    ) -> Self {
        Replay {
            range: CompactRange::new(),
            ledger: Ledger::new(roots, ledger_regions),
            signers: HashMap::new(),
            origin: origin.to_owned(),
            previous_origins: previous_origins.to_vec(),
            found: Vec::new(),
            kinds: [0; Kind::ALL.len()],
            other_kinds: BTreeMap::new(),
        }
    }

    /// Accepts the `form` v1 entries below `index` (an old log's unsigned
    /// prefix, `--allow-unsigned-before`); from it on each is a
    /// discrepancy.
    pub fn allow_unsigned_before(mut self, index: u64) -> Self {
        self.ledger.allow_unsigned_before = index;
        self
    }

    /// Checks each sign-off's `k` against this quorum (the server's
    /// `--signoff-quorum`, published nowhere else than in the statements).
    pub fn signoff_quorum(mut self, quorum: saksi_statement::Quorum) -> Self {
        self.ledger.signoffs = saksi_statement::Signoffs::new(quorum);
        self
    }

    /// Entries verified.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// Entries verified by kind, as `(count, kind)`.
    pub fn by_kind(&self) -> Vec<(u64, String)> {
        Kind::ALL
            .iter()
            .zip(self.kinds)
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| (n, l.to_string()))
            .chain(self.other_kinds.iter().map(|(k, n)| (*n, k.clone())))
            .collect()
    }

    /// Verifies the next entries of the log, in order.
    pub fn process(&mut self, entries: &[ServedEntry]) {
        let ctx = Context {
            origin: &self.origin,
            previous_origins: &self.previous_origins,
            signers: &self.signers,
        };
        let (prepared, fresh) = if entries.len() >= SPLIT_MIN {
            let (a, b) = entries.split_at(entries.len() / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| prepare(b, &ctx));
                let (mut first, mut fresh) = prepare(a, &ctx);
                let (second, more) = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                first.extend(second);
                fresh.extend(more);
                (first, fresh)
            })
        } else {
            prepare(entries, &ctx)
        };
        for (id, key) in fresh {
            self.signers.entry(id).or_insert(key);
        }
        for (served, (leaf, decoded)) in entries.iter().zip(prepared) {
            if served.leaf_hash.is_some_and(|claimed| claimed != leaf) {
                self.found.push(Discrepancy::entry(
                    served.index,
                    "the served leaf_hash is not SHA-256(0x00 || data)",
                ));
            }
            self.range.append(leaf);
            match &decoded.label {
                Label::Known(kind) => self.kinds[*kind as usize] += 1,
                Label::Other(other) => *self.other_kinds.entry(other.clone()).or_default() += 1,
            }
            self.ledger.apply(served.index, decoded, &mut self.found);
        }
    }
}

/// The mutable signature of a decoded entry, if it has one.
fn signed_mut(d: &mut Decoded) -> Option<&mut Signed> {
    match &mut d.body {
        Some(Body::Form(f)) => f.signed.as_mut(),
        Some(Body::Key(k)) => Some(&mut k.signed),
        Some(Body::Incident(i)) => i.filing.as_mut().map(|f| &mut f.signed),
        Some(Body::Ruling(r)) => Some(&mut r.signed),
        Some(Body::Signoff(s)) => Some(&mut s.signed),
        Some(Body::Reopen(r)) => Some(&mut r.signed),
        Some(Body::NoForm(n)) => Some(&mut n.signed),
        Some(Body::Shipment(s)) => Some(&mut s.signed),
        Some(Body::Delivery(d)) => Some(&mut d.signed),
        Some(Body::Objection(_)) | None => None,
    }
}

/// Step 1 for some entries: leaf hashes, decoding, signatures.
fn prepare(entries: &[ServedEntry], ctx: &Context<'_>) -> (Vec<(Hash, Decoded)>, Signers) {
    let mut fresh = Signers::new();
    let mut out: Vec<(Hash, Decoded)> = entries
        .iter()
        .map(|e| (leaf_hash(&e.data), entry::decode(&e.data, ctx, &mut fresh)))
        .collect();
    let mut signed: Vec<&mut Signed> = out.iter_mut().filter_map(|(_, d)| signed_mut(d)).collect();
    let items: Vec<saksi_log::batch::Item<'_>> = signed
        .iter()
        .map(|s| (&*s.signer, s.message.as_slice(), &s.signature))
        .collect();
    let verdicts = saksi_log::verify_batch(&items);
    drop(items);
    for (s, valid) in signed.iter_mut().zip(verdicts) {
        s.valid = valid;
        s.message = Vec::new();
    }
    (out, fresh)
}
