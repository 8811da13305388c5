//! `/api/v1/auth`: logging in and out, and the session of a token.

pub mod login;
pub mod logout;
pub mod session;
