//! The logistics chain as facts of the log: a kit's shipment down the
//! chain (printer or warehouse -> KPU Kab/Kota -> PPK -> PPS -> KPPS),
//! signed by the sender ([`shipment`], `shipment` v1), its proof of
//! delivery signed by the receiver ([`delivery`], `delivery` v1), and the
//! stocks and rules that tie them together ([`state`]), decided the same
//! way by the server's sequencer and by `saksi audit` replaying the log
//! (docs/logistics.md).
//!
//! What both statements share is read here: item names and quantities,
//! and seal numbers.

pub mod delivery;
pub mod shipment;
pub mod state;

use std::collections::BTreeMap;

use saksi_core::logistics::is_item_name;
use saksi_log::canonical_check;

use crate::StatementError;
use crate::read::Object;

pub use delivery::{DeliveryStatement, Received, RejectReason};
pub use shipment::ShipmentStatement;
pub use state::{Logistics, LogisticsRefusal, Shipment};

/// The most items one shipment carries: a TPS's kit has about twenty.
pub const MAX_ITEMS: usize = 64;

/// The most of one item a shipment carries: a kab/kota's ballots of one
/// contest are a few hundred thousand; anything above is a typing error.
pub const MAX_QUANTITY: u64 = 1_000_000;

/// The most seal numbers a shipment names or a delivery checks.
pub const MAX_SEALS: usize = 64;

/// The longest seal number, in characters.
pub const MAX_SEAL_CHARS: usize = 32;

/// Reads an `items` object: 1 to [`MAX_ITEMS`] members named as items
/// are (`saksi_core::logistics::is_item_name`), each value read by
/// `value`, which names what is wrong with it.
pub(crate) fn read_items<T>(
    member: &[u8],
    value: impl Fn(&[u8]) -> Result<T, String>,
) -> Result<BTreeMap<String, T>, StatementError> {
    let malformed = |m: String| StatementError::Malformed(m);
    let layout = canonical_check::check(member)
        .map_err(|_| malformed("`items` must be an object".into()))?;
    let object = Object::top(member, &layout)
        .ok_or_else(|| malformed("`items` must be an object".into()))?;
    let names = object.names();
    if !(1..=MAX_ITEMS).contains(&names.len()) {
        return Err(malformed(format!(
            "`items` must name 1 to {MAX_ITEMS} items"
        )));
    }
    let mut items = BTreeMap::new();
    for name in names {
        if !is_item_name(name) {
            return Err(malformed(format!(
                "item {name:?}: an item is named with 1 to 48 of a-z, 0-9 and - (docs/logistics.md)"
            )));
        }
        let bytes = object.member(name)?;
        let read = value(bytes).map_err(|why| malformed(format!("item {name:?}: {why}")))?;
        items.insert(name.to_owned(), read);
    }
    Ok(items)
}

/// A quantity: an integer from `min` to [`MAX_QUANTITY`].
pub(crate) fn quantity(bytes: &[u8], min: u64) -> Result<u64, String> {
    canonical_check::as_u64(bytes)
        .filter(|n| (min..=MAX_QUANTITY).contains(n))
        .ok_or_else(|| format!("a quantity is an integer from {min} to {MAX_QUANTITY}"))
}

/// Reads a list of seal numbers (`seals`, `seals_checked`): at most
/// [`MAX_SEALS`], each 1 to [`MAX_SEAL_CHARS`] visible ASCII characters
/// (no space), none twice.
pub(crate) fn read_seals(object: &Object<'_>, name: &str) -> Result<Vec<String>, StatementError> {
    let malformed = || {
        StatementError::Malformed(format!(
            "`{name}` must be a list of at most {MAX_SEALS} distinct seal numbers, each 1 to {MAX_SEAL_CHARS} visible ASCII characters"
        ))
    };
    let seals = canonical_check::items(object.member(name)?)
        .filter(|s| s.len() <= MAX_SEALS)
        .ok_or_else(malformed)?
        .into_iter()
        .map(|s| {
            canonical_check::as_str(s)
                .filter(|s| is_seal(s))
                .map(|s| s.into_owned())
        })
        .collect::<Option<Vec<String>>>()
        .ok_or_else(malformed)?;
    let mut sorted: Vec<&String> = seals.iter().collect();
    sorted.sort();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(malformed());
    }
    Ok(seals)
}

/// A seal number: 1 to [`MAX_SEAL_CHARS`] of `!` to `~`.
pub fn is_seal(s: &str) -> bool {
    (1..=MAX_SEAL_CHARS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}
