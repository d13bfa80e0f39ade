//! Compile-time checks of `#[webhook]` (trybuild). The `.stderr` files are tied to the exact
//! compiler (rustc 1.95); regenerate with `TRYBUILD=overwrite` after reading each diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
