//! The region tree: national -> provinsi -> kab/kota -> kecamatan -> desa -> TPS.

mod code;
mod level;
mod method;
mod tree;

pub use code::{RegionCode, RegionCodeError};
pub use level::Level;
pub use method::VotingMethod;
pub use tree::{Dpt, Region, RegionId, RegionInput, RegionTree, TreeError};
