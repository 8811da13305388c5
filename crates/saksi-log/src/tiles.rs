//! C2SP tlog-tiles addressing: which tiles a tree of a given size has,
//! their paths (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`) and
//! their contents, read from any [`NodeSource`]. Tiles are 256 hashes wide
//! (height 8): tile N at level L holds the hashes of the complete nodes at
//! RFC 9162 height 8·L with indices N·256 .. N·256 + W. Only this module's
//! arithmetic: serving tiles is for a later layout.

use crate::hash::Hash;
use crate::source::{NodeError, NodeSource};

/// The number of hashes in a full tile (C2SP tlog-tiles: height 8).
pub const TILE_WIDTH: u64 = 256;

/// The path element of a tile or bundle index: the decimal index in groups
/// of three digits, each but the last prefixed with `x`
/// (1234067 → `x001/x234/067`).
pub fn index_path(index: u64) -> String {
    let mut groups = vec![format!("{:03}", index % 1000)];
    let mut rest = index / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// One tile: its level, index and width (1..=256; below 256 a partial
/// tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tile {
    /// Tile level (hashes at RFC 9162 height 8·level).
    pub level: u8,
    /// Tile index within its level.
    pub index: u64,
    /// Number of hashes (or entries, for a bundle).
    pub width: u16,
}

impl Tile {
    fn suffix(&self) -> String {
        if u64::from(self.width) == TILE_WIDTH {
            String::new()
        } else {
            format!(".p/{}", self.width)
        }
    }

    /// `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            index_path(self.index),
            self.suffix()
        )
    }

    /// `tile/entries/<N>[.p/<W>]`: the entry bundle beside a level-0 tile.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}{}", index_path(self.index), self.suffix())
    }

    /// The tile's hashes, concatenated as served, from a node source that
    /// holds at least the tile's nodes.
    pub fn hashes<S: NodeSource + ?Sized>(&self, source: &S) -> Result<Vec<Hash>, NodeError> {
        let height = 8 * u32::from(self.level);
        (0..u64::from(self.width))
            .map(|i| source.node(height, self.index * TILE_WIDTH + i))
            .collect()
    }
}

/// Every tile of a tree of `size` leaves (full and partial), by level then
/// index: at level L the tree has ⌊size / 256^L⌋ nodes of height 8·L,
/// grouped 256 to a tile.
pub fn tiles_for_size(size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    let mut nodes = size; // nodes of height 8·level
    let mut level = 0u8;
    while nodes > 0 {
        for index in 0..nodes / TILE_WIDTH {
            tiles.push(Tile {
                level,
                index,
                width: TILE_WIDTH as u16,
            });
        }
        let partial = nodes % TILE_WIDTH;
        if partial > 0 {
            tiles.push(Tile {
                level,
                index: nodes / TILE_WIDTH,
                width: partial as u16,
            });
        }
        nodes /= TILE_WIDTH;
        level += 1;
    }
    tiles
}

/// An entry bundle: each entry as a big-endian u16 length and its bytes.
/// `None` if an entry is longer than 65,535 bytes.
pub fn entry_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&u16::try_from(e.len()).ok()?.to_be_bytes());
        out.extend_from_slice(e);
    }
    Some(out)
}

/// The entries of a bundle, or `None` if it is truncated.
pub fn parse_entry_bundle(mut bundle: &[u8]) -> Option<Vec<&[u8]>> {
    let mut entries = Vec::new();
    while !bundle.is_empty() {
        let (len, rest) = bundle.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return None;
        }
        let (entry, rest) = rest.split_at(len);
        entries.push(entry);
        bundle = rest;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_round_trip_and_truncation_is_refused() {
        let entries: [&[u8]; 3] = [b"", b"a", &[7u8; 300]];
        let bundle = entry_bundle(entries).unwrap();
        assert_eq!(&bundle[..3], &[0, 0, 0]);
        assert_eq!(parse_entry_bundle(&bundle).unwrap(), entries.to_vec());
        assert!(parse_entry_bundle(&bundle[..bundle.len() - 1]).is_none());
        assert!(parse_entry_bundle(&[0]).is_none());
        assert!(entry_bundle([vec![0u8; 65_536].as_slice()]).is_none());
    }

    #[test]
    fn entries_paths_mirror_level_zero_tiles() {
        let t = Tile {
            level: 0,
            index: 1234067,
            width: 5,
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067.p/5");
        assert_eq!(t.entries_path(), "tile/entries/x001/x234/067.p/5");
    }
}
