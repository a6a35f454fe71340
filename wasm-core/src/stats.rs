//! Statistics of a loaded store, computed over its columns (never by reading the file again).
//!
//! - [`summary`]: the summary counts (`enclave stats`, the app's summary): [`Stats`],
//!   [`compute`].
//! - [`bcftools`]: the sections of `bcftools stats -s -` exactly as bcftools 1.24 computes
//!   them (SN, TSTV, SiS, AF, QUAL, IDD, ST, DP, PSC, PSI, HWE, VAF), for every record or a
//!   filter's passing ones; [`text`] prints them in bcftools' format (`enclave stats
//!   --bcftools`). Built on [`alleles`] (htslib's allele classes and lengths), [`genotypes`]
//!   (htslib's genotype classes, judged once per distinct genotype), [`frequency`] (the
//!   allele-frequency bins) and [`bins`] (QUAL and depth bins).
//! - [`qc`]: what a clinician checks beyond bcftools stats — FILTER and contig counts,
//!   consequence and impact, GQ, het allele balance per sample — and [`trios`], the per-trio
//!   Mendelian error rate and de novo count (trios as sample indices, with the pedigree's
//!   judgements as record bitmaps: the hook the inheritance modes plug into).
//!
//! Where it sits: after ingest, beside the filter; the app's QC panel and `enclave stats`
//! read the serde results. docs/STATS.md gives every rule and every known difference from
//! bcftools.

pub mod alleles;
pub mod bcftools;
pub mod bins;
pub mod frequency;
pub mod genotypes;
pub mod qc;
pub mod summary;
pub mod text;
pub mod trios;

pub use summary::{Stats, compute};
