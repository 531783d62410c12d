//! `cyberark-codegen`: the generator behind `cargo xtask codegen`.
//!
//! The generator is a pure library. [`load`] reads the curated OpenAPI description into the
//! intermediate representation in [`ir`]; the emitters in [`emit`] turn that IR into source text.
//! No function here touches the file system: `xtask` reads the spec and writes the outputs, so the
//! same inputs always give the same bytes and every step can be tested in memory.
#![deny(missing_docs)]

pub mod check;
pub mod config;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod names;
mod nesting;
pub mod overlay;
