//! Authentication: password hashes, session tokens and login throttling.

pub mod password;
pub mod sessions;
pub mod throttle;
pub mod token;
