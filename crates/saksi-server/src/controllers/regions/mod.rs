//! `/api/v1/regions`: the region tree, one region with its children.

pub mod show;

use saksi_api::Dpt;
use saksi_core::{Level, RegionId, RegionTree};

/// What every region answer starts with: the region itself, its parent and
/// its registered voters.
pub(crate) struct Header {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub dpt: Dpt,
}

pub(crate) fn header(tree: &RegionTree, id: RegionId) -> Header {
    let region = tree.get(id);
    Header {
        code: region.code.to_string(),
        name: region.name.clone(),
        level: region.level(),
        parent: region.parent.map(|p| tree.get(p).code.to_string()),
        dpt: Dpt {
            l: region.dpt.l,
            p: region.dpt.p,
            j: region.dpt.total(),
        },
    }
}
