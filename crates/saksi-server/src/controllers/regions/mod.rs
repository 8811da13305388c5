//! `/api/v1/regions`: the region tree, one region with its children.

pub mod show;

use saksi_core::{RegionId, RegionTree};
use serde_json::{Map, Value, json};

/// What every region answer starts with: the region itself, its parent and
/// its registered voters. Callers add their own fields.
pub(crate) fn header(tree: &RegionTree, id: RegionId) -> Map<String, Value> {
    let region = tree.get(id);
    let value = json!({
        "code": region.code,
        "name": region.name,
        "level": region.level(),
        "parent": region.parent.map(|p| tree.get(p).code),
        "dpt": {"l": region.dpt.l, "p": region.dpt.p, "j": region.dpt.total()},
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}
