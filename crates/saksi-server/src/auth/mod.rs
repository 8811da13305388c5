//! Authentication: password hashes and policy, session tokens, login
//! throttling, and the throttling of KPPS device enrolment codes.

pub mod csrf;
pub mod enrolment_throttle;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod token;
