//! What authentication is made of, apart from the server's state: password
//! hashes and policy, session tokens and their cache, login throttling,
//! TOTP codes (RFC 6238) and the key that seals their secrets, CSRF
//! tokens, and the throttling of KPPS enrolment codes. The `auth` module puts them together into logins and sessions
//! (and re-exports them under its own name, as the web crate and the CLI
//! know them); kept apart so that the server's state can hold the throttle
//! and the cache without depending on the code that reads that state.

pub mod csrf;
pub mod enrolment_throttle;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod token;
pub mod totp;
pub mod totp_key;
