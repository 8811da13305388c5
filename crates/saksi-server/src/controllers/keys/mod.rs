//! `/api/v1/keys`: officers' key registrations and revocations.

pub mod defaults;
pub mod register;
