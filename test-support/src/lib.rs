//! `enclave-test-support`: the helpers that several crates' tests share, so that none of them
//! keeps its own copy (STYLE.md, "Tests"; the model is htsget-rs's `htsget-test`). A
//! dev-dependency of `wasm-core`, `enclave-cli`, `app` and `enclave-server`; `enclave-bench`
//! uses its generator for the benchmark genomes.
//!
//! - [`rng`]: [`rng::SplitMix64`], the one deterministic generator (seeded tests and `bench`'s
//!   genomes), with `below`, `size`, `chance`, `pick`, `shuffle`, `bytes`.
//! - [`compress`]: gzip, BGZF as noodles writes it, and BGZF built block by block.
//! - [`varied_vcf`]: seeded VCF text with every allele class, ploidy, missing value and bin
//!   edge `bcftools stats` distinguishes (the statistics oracle tests' generated inputs).
//! - [`crypt4gh`]: the edit-list and header-length oracles, test plaintexts, and (natively)
//!   running the `enclave` CLI's Crypt4GH commands.
//! - [`testdata_bytes!`] / [`testdata_str!`]: a file of `testdata/` compiled into the test
//!   (the browser tests have no filesystem).
//! - Native only: [`files`] (`testdata/`, the shared corpus `ENCLAVE_SHARED_TESTDATA`,
//!   `files_under`, [`files::TempDir`] that removes itself, `ENCLAVE_BLESS`), [`process`]
//!   (runs with a time limit, two workers, [`process::Program`] for the binary under test) and
//!   [`oracle`] (bcftools, bgzip, tabix and the reference Crypt4GH, skipped with a notice when
//!   absent, failing under CI).
//! - Feature `engine`: [`engine`] (reads through `wasm_core` that name the case when it panics,
//!   records as VCF lines).
//! - Feature `browser`: [`blob`] (`web_sys::Blob`s for the app's tests in Chromium).

pub mod compress;
pub mod crypt4gh;
pub mod rng;
pub mod varied_vcf;

#[cfg(feature = "browser")]
pub mod blob;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;
#[cfg(not(target_arch = "wasm32"))]
pub mod oracle;
#[cfg(not(target_arch = "wasm32"))]
pub mod process;

/// The bytes of a file under the workspace's `testdata/`, compiled in (`include_bytes!`): for
/// tests that run where there is no filesystem, the browser's. The path is relative to
/// `testdata/`; the calling crate must sit directly under the workspace root, as all do.
///
/// ```
/// const VCF: &[u8] = enclave_test_support::testdata_bytes!("vcfpy/tests/vcfs/full_vcf43.vcf");
/// assert!(VCF.starts_with(b"##fileformat=VCFv4.3"));
/// ```
#[macro_export]
macro_rules! testdata_bytes {
    ($rel:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/", $rel))
    };
}

/// [`testdata_bytes!`] as text (`include_str!`).
#[macro_export]
macro_rules! testdata_str {
    ($rel:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/", $rel))
    };
}
