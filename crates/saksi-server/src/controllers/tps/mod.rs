//! `/api/v1/tps`: one polling station's forms, public.

pub mod diff;
pub mod show;
