//! Enclave's engine: everything that touches a genome file's content.
//!
//! Pure Rust with no browser, async or printing dependencies; it builds natively (the `enclave`
//! CLI, tests, benchmarks) and for `wasm32-unknown-unknown` (the app's Web Workers).
//!
//! Data flow: bytes from any `Read` → [`formats`] (sniff, decompress, parse VCF/BCF) →
//! [`store::VariantStore`] (columns, never one object per record) → [`filter`] (bcftools expressions →
//! [`bitmap::Bitmap`]), [`annotation`] (CSQ/ANN), [`regions`] → [`stats`] and [`export`]; with a
//! [`pedigree`], [`inheritance`] evaluates family modes over the same columns into bitmaps and
//! [`pedigree_check`] compares the genotypes with the PED; [`classification`] combines ACMG/AMP
//! criteria for one record and pre-fills those its annotation and family analysis support.
//! Long work reports through [`progress::Progress`], which can cancel it.

pub mod annotation;
pub mod binomial;
pub mod bitmap;
pub mod case;
pub mod classification;
pub mod crypt4gh;
pub mod detail;
pub mod export;
pub mod filter;
pub mod fingerprint;
pub mod formats;
pub mod index;
pub mod inheritance;
pub mod pedigree;
pub mod pedigree_check;
pub mod progress;
pub mod regions;
pub mod stats;
pub mod store;
pub mod variant_type;

pub use formats::{Dataset, IngestError, Location, Summary, read_dataset, read_encrypted_dataset};
