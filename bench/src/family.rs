//! Families for the inheritance benchmark and demo.
//!
//! [`GENOME_TRIO_PED`] makes the three-sample benchmark genome ([`crate::genome`]: HG002,
//! HG003, HG004, the names of the GIAB trio) a trio: HG002 the affected son of unaffected
//! parents.

/// The pedigree of `genome.3s.vcf.gz`.
pub const GENOME_TRIO_PED: &str = "trio\tHG002\tHG003\tHG004\t1\t2\n\
trio\tHG003\t0\t0\t1\t1\n\
trio\tHG004\t0\t0\t2\t1\n";
