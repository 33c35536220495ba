//! Compile-fail cases, one behaviour per file under `tests/ui/`, each with
//! its checked-in `.stderr`; and pass cases under `tests/ui/pass/`.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`,
//! then read every change.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
