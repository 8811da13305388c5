//! The synthetic election: regions at the 2024 per-province counts, voters,
//! parties, paslon, dapil and candidates, all drawn from one seed.
//!
//! The pieces are public so that the importer can reuse them over a real
//! tree: [`overseas_regions`] (the commission's desa list has no province
//! `99`), [`assign_dpt`] (its TPS come without voters) and [`election_over`]
//! (parties, paslon, dapil and candidates over any tree).

mod candidates;
mod dapil;
mod dpt;
mod names;
mod overseas;
mod parties;
mod split;
pub(crate) mod table;
mod tree;

use saksi_core::region::TreeError;
use saksi_core::{Election, ElectionError, RegionInput, RegionTree};

pub use dpt::{MAX_DPT_PER_TPS, assign_dpt};
pub use overseas::overseas_regions;

/// The name of the national root region.
pub const NATION_NAME: &str = "Indonesia";

/// What to generate: the seed names the election (the same seed gives the
/// same election, on every machine, forever); the scale is the fraction of
/// the nation, in `(0, 1]`, where 1.0 is the whole nation at its real counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateOptions {
    pub seed: u64,
    pub scale: f64,
}

/// Why an election could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("scale must be a number in (0, 1], found {0}")]
    Scale(f64),
    #[error("the generated regions do not form a tree: {0}")]
    Tree(#[from] TreeError),
    #[error("the generated contests do not fit the tree: {0}")]
    Election(#[from] ElectionError),
}

/// The steps of [`generate_with_progress`], in order, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Drawing the regions and TPS.
    Regions,
    /// Drawing the voters of every TPS.
    Voters,
    /// Building the region tree.
    Tree,
    /// Building the dapil and candidate lists.
    Contests,
}

impl Stage {
    /// How many stages there are.
    pub const COUNT: usize = 4;
}

/// Generates a whole election: regions, voters, parties, paslon, dapil and
/// candidates.
pub fn generate(opts: &GenerateOptions) -> Result<Election, GenerateError> {
    generate_with_progress(opts, |_| {})
}

/// [`generate`], calling `progress` as each stage starts.
pub fn generate_with_progress(
    opts: &GenerateOptions,
    mut progress: impl FnMut(Stage),
) -> Result<Election, GenerateError> {
    check_scale(opts.scale)?;
    progress(Stage::Regions);
    let mut regions = regions(opts);
    progress(Stage::Voters);
    assign_dpt(&mut regions, opts.seed);
    progress(Stage::Tree);
    let tree = RegionTree::build(NATION_NAME, regions)?;
    progress(Stage::Contests);
    election_over(tree, opts.seed)
}

/// The regions alone, every TPS with its DPT: the 38 provinces and province
/// `99`, in code order.
pub fn generate_tree(opts: &GenerateOptions) -> Result<Vec<RegionInput>, GenerateError> {
    check_scale(opts.scale)?;
    let mut regions = regions(opts);
    assign_dpt(&mut regions, opts.seed);
    Ok(regions)
}

/// The parties, the paslon and every contest's dapil and candidates over
/// `tree`, whose TPS must already carry their DPT (dapil are balanced by
/// it). Works over any tree, generated or imported: dapil counts adapt to
/// the regions present (see the `dapil` module's rules).
pub fn election_over(tree: RegionTree, seed: u64) -> Result<Election, GenerateError> {
    let mut dapil = dapil::build(&tree);
    candidates::fill(&mut dapil, &tree, seed);
    Ok(Election::new(
        tree,
        parties::parties(),
        parties::paslon(),
        dapil,
    )?)
}

fn check_scale(scale: f64) -> Result<(), GenerateError> {
    if scale > 0.0 && scale <= 1.0 {
        Ok(())
    } else {
        Err(GenerateError::Scale(scale))
    }
}

/// Every region without DPT, domestic then overseas.
fn regions(opts: &GenerateOptions) -> Vec<RegionInput> {
    let expected = (f64::from(1_000_000) * opts.scale) as usize;
    let mut out = Vec::with_capacity(expected);
    for p in &table::PROVINCES {
        tree::province(p, opts.scale, opts.seed, &mut out);
    }
    out.extend(overseas_regions(opts));
    out
}
