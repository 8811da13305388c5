//! The public shapes against the OpenAPI file and against the bytes the
//! server wrote before they had types.

mod bytes;
mod openapi;
mod patterns;
mod samples;
