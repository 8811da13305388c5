//! C2SP tlog-tiles known answers (../shared/vectors/tlog_tiles): index path
//! encoding, the tile set of a tree size, and the tile contents of a
//! 600-leaf tree.

use saksi_log::tiles::{Tile, index_path, tiles_for_size};
use saksi_log::{MemoryTree, leaf_hash};
use serde_json::Value;

use crate::vectors;

fn file() -> Option<Value> {
    vectors::json("tlog_tiles/tlog_tiles_vectors.json")
}

fn paths(size: u64) -> Vec<String> {
    tiles_for_size(size).iter().map(Tile::path).collect()
}

#[test]
fn index_paths_match() {
    let Some(v) = file() else { return };
    let mut n = 0;
    for section in ["spec_examples", "DERIVED"] {
        for case in v[section]["index_encoding"].as_array().unwrap() {
            let index = case["index"].as_u64().unwrap();
            assert_eq!(
                index_path(index),
                case["path_elem"].as_str().unwrap(),
                "{index}"
            );
            n += 1;
        }
    }
    assert!(n >= 9);
}

#[test]
fn tile_sets_of_tree_sizes_match() {
    let Some(v) = file() else { return };
    let sets = v["DERIVED"]["tile_sets"].as_object().unwrap();
    assert!(sets.len() >= 7);
    for (size, expected) in sets {
        let expected: Vec<String> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(paths(size.parse().unwrap()), expected, "size {size}");
    }
    let spec = &v["spec_examples"];
    assert_eq!(
        serde_json::to_value(paths(spec["tree_256"]["size"].as_u64().unwrap())).unwrap(),
        spec["tree_256"]["tiles"]
    );
    // The spec's 70,000-leaf tree: counts of full tiles and partial widths.
    let t = &spec["tree_70000"];
    let tiles = tiles_for_size(t["size"].as_u64().unwrap());
    let full = |level| {
        tiles
            .iter()
            .filter(|t| t.level == level && t.width == 256)
            .count()
    };
    let partial = |level| -> Vec<u64> {
        tiles
            .iter()
            .filter(|t| t.level == level && t.width < 256)
            .map(|t| u64::from(t.width))
            .collect()
    };
    assert_eq!(full(0) as u64, t["level0_full"].as_u64().unwrap());
    assert_eq!(full(1) as u64, t["level1_full"].as_u64().unwrap());
    assert_eq!(
        serde_json::to_value(partial(0)).unwrap(),
        t["level0_partial_width"]
    );
    assert_eq!(
        serde_json::to_value(partial(1)).unwrap(),
        t["level1_partial_width"]
    );
    assert_eq!(
        serde_json::to_value(partial(2)).unwrap(),
        t["level2_partial_width"]
    );
    assert_eq!(full(2), 0);
}

#[test]
fn tile_contents_of_a_600_leaf_tree_match() {
    let Some(v) = file() else { return };
    let c = &v["DERIVED"]["tile_contents_600_leaves"];
    let mut tree = MemoryTree::new();
    for i in 0..600u16 {
        tree.append(leaf_hash(&i.to_be_bytes()));
    }
    assert_eq!(hex::encode(tree.root()), c["root_hex"].as_str().unwrap());
    let tiles = tiles_for_size(600);
    let expected = c["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), expected.len());
    for (tile, e) in tiles.iter().zip(expected) {
        assert_eq!(u64::from(tile.level), e["level"].as_u64().unwrap());
        assert_eq!(tile.index, e["index"].as_u64().unwrap());
        assert_eq!(u64::from(tile.width), e["width"].as_u64().unwrap());
        assert_eq!(tile.path(), e["path"].as_str().unwrap());
        let got: Vec<String> = tile
            .hashes(&tree)
            .unwrap()
            .iter()
            .map(hex::encode)
            .collect();
        let want: Vec<&str> = e["hashes_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{}", tile.path());
    }
}
