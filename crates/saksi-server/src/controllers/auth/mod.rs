//! `/api/v1/auth`: logging in and out, the session of a token, and
//! enrolling TOTP.

pub mod login;
pub mod logout;
pub mod session;
pub mod totp;
