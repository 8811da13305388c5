//! The region tree as one flat arena, sized for a whole nation.
//!
//! About 912,000 regions (820,161 domestic TPS and their ancestors) live in
//! one `Vec` ordered by code: level first, then code. In that order the
//! children of every region are contiguous, so a region stores a range
//! instead of a list, and walking the tree allocates nothing.

use std::collections::HashMap;
use std::ops::Range;

use super::{Level, RegionCode};

/// Index of a region in its [`RegionTree`]. Internal only: codes are the
/// public identifiers everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(pub u32);

impl RegionId {
    /// The position in the tree's arena.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Registered voters (DPT) by sex. Held on every region: a TPS's own list,
/// and above it the sum of its TPS, so DPT adds up like every other count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dpt {
    pub l: u32,
    pub p: u32,
}

impl Dpt {
    /// Male plus female.
    pub fn total(self) -> u32 {
        self.l + self.p
    }
}

/// One region or TPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub parent: Option<RegionId>,
    /// Registered voters: the TPS's own, or the sum over the TPS below.
    pub dpt: Dpt,
    children: Range<u32>,
}

impl Region {
    /// The region's level, read off its code.
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

/// Why a list of regions does not form a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("region {0} appears twice")]
    Duplicate(RegionCode),
    #[error("region {code} has no parent region {parent} in the list")]
    MissingParent {
        code: RegionCode,
        parent: RegionCode,
    },
    #[error("region {0} is not a TPS but has registered voters of its own")]
    DptAboveTps(RegionCode),
}

/// One entry of the list a tree is built from.
#[derive(Debug, Clone)]
pub struct RegionInput {
    pub code: RegionCode,
    pub name: String,
    /// Registered voters; only a TPS has its own (others are summed).
    pub dpt: Dpt,
}

/// The whole region tree, national root first.
#[derive(Debug, Clone)]
pub struct RegionTree {
    regions: Vec<Region>,
    by_code: HashMap<RegionCode, RegionId>,
}

impl RegionTree {
    /// Builds the tree from regions in any order. The national root is added
    /// (named `root_name`) if the list lacks it; every other region needs its
    /// parent in the list. DPT above TPS is summed here, never taken as given.
    pub fn build(root_name: &str, mut inputs: Vec<RegionInput>) -> Result<RegionTree, TreeError> {
        if !inputs.iter().any(|r| r.code == RegionCode::NASIONAL) {
            inputs.push(RegionInput {
                code: RegionCode::NASIONAL,
                name: root_name.to_owned(),
                dpt: Dpt::default(),
            });
        }
        inputs.sort_unstable_by_key(|r| r.code);
        let mut by_code = HashMap::with_capacity(inputs.len());
        let mut regions: Vec<Region> = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.into_iter().enumerate() {
            if input.code.level() != Level::Tps && input.dpt != Dpt::default() {
                return Err(TreeError::DptAboveTps(input.code));
            }
            if by_code.insert(input.code, RegionId(i as u32)).is_some() {
                return Err(TreeError::Duplicate(input.code));
            }
            let parent = match input.code.parent() {
                None => None,
                Some(parent) => Some(*by_code.get(&parent).ok_or(TreeError::MissingParent {
                    code: input.code,
                    parent,
                })?),
            };
            regions.push(Region {
                code: input.code,
                name: input.name,
                parent,
                dpt: input.dpt,
                children: 0..0,
            });
        }
        // Sorted by (level, code), so each parent's children form one run.
        for i in (1..regions.len()).rev() {
            let parent = regions[i]
                .parent
                .expect("only the root has no parent")
                .index();
            let child = i as u32;
            let range = &mut regions[parent].children;
            if range.end == 0 {
                *range = child..child + 1;
            } else {
                range.start = child;
            }
            let dpt = regions[i].dpt;
            let parent_dpt = &mut regions[parent].dpt;
            parent_dpt.l += dpt.l;
            parent_dpt.p += dpt.p;
        }
        Ok(RegionTree { regions, by_code })
    }

    /// The national root.
    pub fn root(&self) -> RegionId {
        RegionId(0)
    }

    /// The region with this id. Ids come from this tree, so this cannot miss.
    pub fn get(&self, id: RegionId) -> &Region {
        &self.regions[id.index()]
    }

    /// Looks a code up.
    pub fn find(&self, code: RegionCode) -> Option<RegionId> {
        self.by_code.get(&code).copied()
    }

    /// The children of a region, in code order.
    pub fn children(
        &self,
        id: RegionId,
    ) -> impl DoubleEndedIterator<Item = RegionId> + ExactSizeIterator + '_ {
        self.get(id).children.clone().map(RegionId)
    }

    /// Every region, root first, in (level, code) order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (RegionId, &Region)> + '_ {
        self.regions
            .iter()
            .enumerate()
            .map(|(i, r)| (RegionId(i as u32), r))
    }

    /// The ancestors of a region from its parent up to the root.
    pub fn ancestors(&self, id: RegionId) -> impl Iterator<Item = RegionId> + '_ {
        std::iter::successors(self.get(id).parent, |p| self.get(*p).parent)
    }

    /// How many regions lie above TPS level. Ordered by level, the tree
    /// holds those first: ids `0..upper_len()` are exactly the non-TPS
    /// regions, which lets per-region arrays skip the 820,000 TPS.
    pub fn upper_len(&self) -> usize {
        self.regions.partition_point(|r| r.level() != Level::Tps)
    }

    /// Every TPS, in code order (they come last in the arena).
    pub fn tps_ids(&self) -> impl ExactSizeIterator<Item = RegionId> + '_ {
        (self.upper_len()..self.regions.len()).map(|i| RegionId(i as u32))
    }

    /// Number of regions, the root included.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// A tree always has its root, so it is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// How many regions each level has, top down.
    pub fn count_by_level(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for r in &self.regions {
            counts[r.level().depth()] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &str, dpt: u32) -> RegionInput {
        RegionInput {
            code: RegionCode::parse(code).unwrap(),
            name: format!("Region {code}"),
            dpt: Dpt { l: dpt, p: dpt },
        }
    }

    fn small_tree() -> RegionTree {
        RegionTree::build(
            "Indonesia",
            vec![
                input("11.01.01.2001.002", 100),
                input("11", 0),
                input("11.01", 0),
                input("11.01.01", 0),
                input("11.01.01.2001", 0),
                input("11.01.01.2001.001", 50),
                input("12", 0),
            ],
        )
        .unwrap()
    }

    #[test]
    fn children_are_listed_in_code_order_and_dpt_adds_up() {
        let tree = small_tree();
        let root = tree.root();
        let provinces: Vec<String> = tree
            .children(root)
            .map(|c| tree.get(c).code.to_string())
            .collect();
        assert_eq!(provinces, ["11", "12"]);
        let desa = tree
            .find(RegionCode::parse("11.01.01.2001").unwrap())
            .unwrap();
        let tps: Vec<String> = tree
            .children(desa)
            .map(|c| tree.get(c).code.to_string())
            .collect();
        assert_eq!(tps, ["11.01.01.2001.001", "11.01.01.2001.002"]);
        assert_eq!(tree.get(root).dpt.total(), 300);
        assert_eq!(tree.get(desa).dpt, Dpt { l: 150, p: 150 });
        assert_eq!(tree.count_by_level(), [1, 2, 1, 1, 1, 2]);
        assert_eq!(tree.ancestors(desa).count(), 4);
    }

    #[test]
    fn a_region_without_its_parent_is_refused() {
        let err = RegionTree::build("Indonesia", vec![input("11.01", 0)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "region 11.01 has no parent region 11 in the list"
        );
    }

    #[test]
    fn a_duplicate_region_is_refused() {
        let err = RegionTree::build("Indonesia", vec![input("11", 0), input("11", 0)]).unwrap_err();
        assert!(matches!(err, TreeError::Duplicate(_)));
    }
}
