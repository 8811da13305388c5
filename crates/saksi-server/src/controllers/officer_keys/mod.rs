//! `/api/v1/officer-keys`: officers' keys made in the browser, waiting for
//! the officer above to certify them (`workspace::officer_keys`).

pub mod list;
pub mod submit;
