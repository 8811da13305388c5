//! `/api/v1/logistics`: what every polling unit is sent. Public and counts
//! only: no login, no person's name.

pub mod allocation;
