//! `/api/v1/tps/{code}/forms`: C.Hasil submissions.

pub mod submit;
