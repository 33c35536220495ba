//! Procedural macros of the `supervisor` crate. Use them through the
//! `supervisor` facade, which re-exports them.
