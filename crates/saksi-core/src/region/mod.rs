//! The region tree: national -> provinsi -> kab/kota -> kecamatan -> desa -> TPS.

mod code;
mod level;
mod tree;

pub use code::{RegionCode, RegionCodeError};
pub use level::Level;
pub use tree::{Dpt, Region, RegionId, RegionInput, RegionTree, TreeError};
