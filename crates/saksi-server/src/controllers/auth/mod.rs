//! `/api/v1/auth`: logging in and out.

pub mod login;
pub mod logout;
