//! The rows of a D.Hasil's table: each child its final sign-off names,
//! with the digest it was signed with and the totals that digest stands
//! for. A kecamatan's children are TPS: their totals are those of the
//! form version whose digest the sign-off names. Above, child regions:
//! their totals are those of their own final sign-off, whose statement
//! digest the parent names.

use saksi_core::tally::Totals;
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_statement::recap::Child;
use saksi_store::{Store, StoreError, StoredVersion};

use crate::controllers::results::parse_stored;
use crate::controllers::tps::show::logged_version;
use crate::error::ApiError;
use crate::state::AppState;

/// One child of a final sign-off.
#[derive(Debug, Clone)]
pub struct ChildRecap {
    pub code: RegionCode,
    pub name: String,
    /// What the sign-off names: the TPS's version digest, or the child
    /// region's final sign-off statement digest.
    pub digest: [u8; 32],
    pub totals: Totals,
}

/// The children of `region`'s final sign-off of `contest`, in its order.
pub(super) async fn recap(
    state: &AppState,
    contest: Contest,
    region: RegionCode,
    children: &[Child],
) -> Result<Vec<ChildRecap>, ApiError> {
    if region.level() == Level::Kecamatan {
        tps(state, contest, children).await
    } else {
        regions(state, contest, children)
    }
}

/// The region a sign-off names as a child; a code the tree lacks is a
/// corrupt store (the sequencer accepts only the region's children).
fn region_of(state: &AppState, code: RegionCode) -> Result<RegionId, ApiError> {
    state
        .election
        .tree
        .find(code)
        .ok_or_else(|| ApiError::internal(format!("a final sign-off names {code}, no region")))
}

fn row(state: &AppState, child: &Child, id: RegionId, totals: Totals) -> ChildRecap {
    ChildRecap {
        code: child.code,
        name: state.election.tree.get(id).name.clone(),
        digest: child.digest,
        totals,
    }
}

/// TPS: the form version each digest names, read from the store (newest
/// first: a final kecamatan is locked, so it is the current one).
async fn tps(
    state: &AppState,
    contest: Contest,
    children: &[Child],
) -> Result<Vec<ChildRecap>, ApiError> {
    let wanted = children.to_vec();
    let versions = state
        .blocking(move |store| {
            wanted
                .iter()
                .map(|c| version_with(store, contest, c))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let election = &state.election;
    children
        .iter()
        .zip(versions)
        .map(|(child, version)| {
            let form = parse_stored(child.code, &version)?;
            let id = region_of(state, child.code)?;
            let totals = Totals::of_form(election, id, contest, Some(&form));
            Ok(row(state, child, id, totals))
        })
        .collect()
}

/// The version of `child`'s form of `contest` whose digest it names.
fn version_with(
    store: &dyn Store,
    contest: Contest,
    child: &Child,
) -> Result<StoredVersion, StoreError> {
    let mut versions: Vec<StoredVersion> = store
        .form_versions(child.code)?
        .into_iter()
        .filter(|v| v.contest == contest)
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    for v in versions {
        if logged_version(store, &v)?.digest() == Some(child.digest) {
            return Ok(v);
        }
    }
    Err(StoreError::Corrupt {
        what: "final sign-off",
        value: format!(
            "it names {} {contest} at digest {}, a version the store does not hold",
            child.code,
            hex::encode(child.digest)
        ),
    })
}

/// Child regions: each one's own final sign-off, which must be the one
/// named (a final region is locked, so it still is).
fn regions(
    state: &AppState,
    contest: Contest,
    children: &[Child],
) -> Result<Vec<ChildRecap>, ApiError> {
    let finals: Vec<Totals> = {
        let live = state.live();
        children
            .iter()
            .map(|child| {
                live.signoffs
                    .final_of(contest, child.code)
                    .filter(|f| f.digest == child.digest)
                    .map(|f| f.totals.clone())
                    .ok_or_else(|| {
                        ApiError::internal(format!(
                            "a final sign-off names {} at a digest that is not its final one",
                            child.code
                        ))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    children
        .iter()
        .zip(finals)
        .map(|(child, totals)| Ok(row(state, child, region_of(state, child.code)?, totals)))
        .collect()
}
