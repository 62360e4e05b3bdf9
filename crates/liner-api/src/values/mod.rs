//! Hand-written leaf types that the generated structs use in place of what
//! typify would make of their schemas. The structs (which fields a `Lead` or
//! a `Call` has) are generated from the spec; these are the values that are
//! awkward as generated code: an open enum, a timestamp in several formats, a
//! map PHP may send as `[]`. `xtask/src/codegen.rs` plugs each one in with
//! `with_replacement` and says why.
//!
//! Each accepts everything the spec's schema of the same name allows (its
//! "Decision:" paragraph says what the API may send) and serializes back to
//! what it decoded.

mod custom_values;
mod envelope_flag;
mod json_schema;
mod open_enum;
mod timestamp;
mod vk_id;

pub use custom_values::CustomValues;
pub use envelope_flag::{Failed, Succeeded};
pub use open_enum::{Direction, FinishInitiator, LeadTypeValue};
pub use timestamp::{Timestamp, TimestampError};
pub use vk_id::VkId;

#[cfg(test)]
mod tests;
