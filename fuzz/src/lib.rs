//! Enclave's fuzz targets: libFuzzer (`cargo fuzz`) over every parser a person's file or typing
//! reaches. Each binary in `fuzz_targets/` calls one function of [`targets`]; `cargo xtask fuzz`
//! builds them, seeds them from `testdata/` and `../shared/testdata`, and runs them with memory
//! and time limits (docs/FUZZING.md).

pub mod targets;
