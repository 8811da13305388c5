//! `GET /api/v1/regions[/{code}]`: a region with its children.

use saksi_core::Level;
use serde::{Deserialize, Serialize};

/// A region, its parent's code, its registered voters and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub dpt: Dpt,
    pub children: Vec<RegionChild>,
}

/// Registered voters (DPT): men, women and both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dpt {
    pub l: u32,
    pub p: u32,
    pub j: u32,
}

/// A child in a region's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionChild {
    pub code: String,
    pub name: String,
    pub level: Level,
}
