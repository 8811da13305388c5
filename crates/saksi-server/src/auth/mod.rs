//! Authentication: password hashes and policy, session tokens and login
//! throttling.

pub mod csrf;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod token;
