//! [`BcftoolsStats`] in `bcftools stats`' text format: the `#` lines describing each section,
//! the `ID` line, then one tab-separated line per value, numbers printed as bcftools prints
//! them (C's `%f`, `%.2f`, `%.1f` of the same `float` or `double` values). MultiQC and
//! plot-vcfstats read it as bcftools' own.
//!
//! The first line keeps bcftools' words "This file was produced by bcftools stats" (MultiQC
//! recognises the file by them) and says in the parentheses that Enclave wrote it and which
//! bcftools version it follows; the command line is Enclave's ([`Provenance`]).
//!
//! Where it sits: after [`super::bcftools::compute`]; `enclave stats --bcftools` writes it to
//! standard output, and the app can offer it as a download.

use std::io::{self, Write};

use super::bcftools::BcftoolsStats;
use super::bins::DepthKey;

/// The bcftools version whose output Enclave's follows.
pub const BCFTOOLS_VERSION: &str = "1.24";

/// What the header lines say about where the numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Who wrote the file, e.g. `Enclave 0.1.0`.
    pub producer: String,
    /// The command line as typed (`enclave stats --bcftools FILE`).
    pub command: String,
    /// The file's name for the `ID` line.
    pub file: String,
}

/// Writes `stats` in bcftools' text format.
pub fn write(
    out: &mut impl Write,
    stats: &BcftoolsStats,
    provenance: &Provenance,
) -> io::Result<()> {
    writeln!(
        out,
        "# This file was produced by bcftools stats ({BCFTOOLS_VERSION}-compatible; {}) and can be plotted using plot-vcfstats.",
        provenance.producer
    )?;
    writeln!(out, "# The command line was:\t{}", provenance.command)?;
    out.write_all(b"#\n# Definition of sets:\n# ID\t[2]id\t[3]tab-separated file names\n")?;
    writeln!(out, "ID\t0\t{}", provenance.file)?;
    summary(out, stats)?;
    frequencies(out, stats)?;
    qualities(out, stats)?;
    indels_and_substitutions(out, stats)?;
    depth(out, stats)?;
    if !stats.samples.is_empty() {
        per_sample(out, stats)?;
    }
    if let Some(vaf) = &stats.vaf {
        out.write_all(b"# VAF, Variant Allele Frequency determined as fraction of alternate reads in FORMAT/AD\n# VAF\t[2]id\t[3]sample\t[4]SNV VAF distribution\t[5]indel VAF distribution\n")?;
        for v in vaf {
            writeln!(
                out,
                "VAF\t0\t{}\t{}\t{}",
                v.sample,
                join(&v.snv),
                join(&v.indel)
            )?;
        }
    }
    Ok(())
}

fn join(values: &[u64]) -> String {
    let parts: Vec<String> = values.iter().map(u64::to_string).collect();
    parts.join(",")
}

/// C's `%.Nf` of a `float`: the float widened to double, rounded half to even on its exact
/// value (Rust's formatting and glibc's agree on that).
fn f32_fixed(v: f32, digits: usize) -> String {
    format!("{:.*}", digits, f64::from(v))
}

fn summary(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(SN_HEADER.as_bytes())?;
    let n = &s.summary;
    for (key, value) in [
        ("samples", n.samples),
        ("records", n.records),
        ("no-ALTs", n.no_alts),
        ("SNPs", n.snps),
        ("MNPs", n.mnps),
        ("indels", n.indels),
        ("others", n.others),
        ("multiallelic sites", n.multiallelic),
        ("multiallelic SNP sites", n.multiallelic_snps),
    ] {
        writeln!(out, "SN\t0\tnumber of {key}:\t{value}")?;
    }
    out.write_all(TSTV_HEADER.as_bytes())?;
    let t = &s.tstv;
    writeln!(
        out,
        "TSTV\t0\t{}\t{}\t{}\t{}\t{}\t{}",
        t.ts,
        t.tv,
        f32_fixed(t.ratio(), 2),
        t.ts_first_alt,
        t.tv_first_alt,
        f32_fixed(t.ratio_first_alt(), 2)
    )
}

fn frequencies(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(SIS_HEADER.as_bytes())?;
    let b = &s.singletons;
    writeln!(
        out,
        "SiS\t0\t1\t{}\t{}\t{}\t{}\t0\t0\t{}",
        b.snps, b.ts, b.tv, b.indels, b.indels
    )?;
    out.write_all(AF_HEADER.as_bytes())?;
    for b in &s.af {
        writeln!(
            out,
            "AF\t0\t{:.6}\t{}\t{}\t{}\t{}\t0\t0\t{}",
            b.af, b.snps, b.ts, b.tv, b.indels, b.indels
        )?;
    }
    Ok(())
}

fn qualities(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(QUAL_HEADER.as_bytes())?;
    for q in &s.qual {
        let label = q.qual.map_or_else(|| ".".to_string(), |v| f32_fixed(v, 1));
        writeln!(
            out,
            "QUAL\t0\t{label}\t{}\t{}\t{}\t{}",
            q.snps, q.ts, q.tv, q.indels
        )?;
    }
    Ok(())
}

fn indels_and_substitutions(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(IDD_HEADER.as_bytes())?;
    // bcftools prints the lengths some site has (its genotype columns count more lengths).
    for d in s.indel_lengths.iter().filter(|d| d.sites > 0) {
        match d.mean_vaf {
            Some(mean) => writeln!(
                out,
                "IDD\t0\t{}\t{}\t{}\t{mean:.2}",
                d.length, d.sites, d.genotypes
            )?,
            None => writeln!(out, "IDD\t0\t{}\t{}\t0\t.", d.length, d.sites)?,
        }
    }
    out.write_all(ST_HEADER.as_bytes())?;
    for (name, n) in &s.substitutions {
        writeln!(out, "ST\t0\t{name}\t{n}")?;
    }
    Ok(())
}

fn depth(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(DP_HEADER.as_bytes())?;
    let (genotypes, sites) = (s.depth_genotypes(), s.depth_sites());
    let percent = |n: u64, total: u64| {
        if total == 0 {
            0.0
        } else {
            n as f64 * 100.0 / total as f64
        }
    };
    for d in &s.depth {
        let label = match d.depth {
            DepthKey::Below => "<0".to_string(),
            DepthKey::Exact(v) => v.to_string(),
            DepthKey::Above => ">500".to_string(),
        };
        writeln!(
            out,
            "DP\t0\t{label}\t{}\t{:.6}\t{}\t{:.6}",
            d.genotypes,
            percent(d.genotypes, genotypes),
            d.sites,
            percent(d.sites, sites)
        )?;
    }
    Ok(())
}

fn per_sample(out: &mut impl Write, s: &BcftoolsStats) -> io::Result<()> {
    out.write_all(PSC_HEADER.as_bytes())?;
    for c in &s.samples {
        writeln!(
            out,
            "PSC\t0\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            c.sample,
            c.ref_hom,
            c.non_ref_hom,
            c.hets,
            c.ts,
            c.tv,
            c.indels,
            f32_fixed(c.mean_depth, 1),
            c.singletons,
            c.hap_ref,
            c.hap_alt,
            c.missing
        )?;
    }
    out.write_all(PSI_HEADER.as_bytes())?;
    for c in &s.sample_indels {
        // In-frame, out-frame and not-applicable need `-E` exons: 0, and their ratio 0.00.
        writeln!(
            out,
            "PSI\t0\t{}\t0\t0\t0\t0.00\t{}\t{}\t{}\t{}",
            c.sample, c.ins_hets, c.del_hets, c.ins_alt_homs, c.del_alt_homs
        )?;
    }
    out.write_all(HWE_HEADER.as_bytes())?;
    for h in &s.hwe {
        writeln!(
            out,
            "HWE\t0\t{:.6}\t{}\t{}\t{}\t{}",
            h.af,
            h.sites,
            f32_fixed(h.p25, 6),
            f32_fixed(h.median, 6),
            f32_fixed(h.p75, 6)
        )?;
    }
    Ok(())
}

// bcftools' section descriptions, word for word: readers look for them.
const SN_HEADER: &str = "# SN, Summary numbers:
#   number of records   .. number of data rows in the VCF
#   number of no-ALTs   .. reference-only sites, ALT is either \".\" or identical to REF
#   number of SNPs      .. number of rows with a SNP
#   number of MNPs      .. number of rows with a MNP, such as CC>TT
#   number of indels    .. number of rows with an indel
#   number of others    .. number of rows with other type, for example a symbolic allele or
#                          a complex substitution, such as ACT>TCGA
#   number of multiallelic sites     .. number of rows with multiple alternate alleles
#   number of multiallelic SNP sites .. number of rows with multiple alternate alleles, all SNPs
# 
#   Note that rows containing multiple types will be counted multiple times, in each
#   counter. For example, a row with a SNP and an indel increments both the SNP and
#   the indel counter.
# 
# SN\t[2]id\t[3]key\t[4]value
";

const TSTV_HEADER: &str = "# TSTV, transitions/transversions
#   - transitions, see https://en.wikipedia.org/wiki/Transition_(genetics)
#   - transversions, see https://en.wikipedia.org/wiki/Transversion
# TSTV\t[2]id\t[3]ts\t[4]tv\t[5]ts/tv\t[6]ts (1st ALT)\t[7]tv (1st ALT)\t[8]ts/tv (1st ALT)
";

const SIS_HEADER: &str = "# SiS, Singleton stats:
#   - allele count, i.e. the number of singleton genotypes (AC=1)
#   - number of transitions, see above
#   - number of transversions, see above
#   - repeat-consistent, inconsistent and n/a: experimental and useless stats [DEPRECATED]
# SiS\t[2]id\t[3]allele count\t[4]number of SNPs\t[5]number of transitions\t[6]number of transversions\t[7]number of indels\t[8]repeat-consistent\t[9]repeat-inconsistent\t[10]not applicable
";

const AF_HEADER: &str = "# AF, Stats by non-reference allele frequency:
# AF\t[2]id\t[3]allele frequency\t[4]number of SNPs\t[5]number of transitions\t[6]number of transversions\t[7]number of indels\t[8]repeat-consistent\t[9]repeat-inconsistent\t[10]not applicable
";

const QUAL_HEADER: &str = "# QUAL, Stats by quality
# QUAL\t[2]id\t[3]Quality\t[4]number of SNPs\t[5]number of transitions (1st ALT)\t[6]number of transversions (1st ALT)\t[7]number of indels
";

const IDD_HEADER: &str = "# IDD, InDel distribution:
# IDD\t[2]id\t[3]length (deletions negative)\t[4]number of sites\t[5]number of genotypes\t[6]mean VAF
";

const ST_HEADER: &str = "# ST, Substitution types:
# ST\t[2]id\t[3]type\t[4]count
";

const DP_HEADER: &str = "# DP, depth:
#   - set id, see above
#   - the depth bin, corresponds to the depth (unless --depth was given)
#   - number of genotypes with this depth (zero unless -s/-S was given)
#   - fraction of genotypes with this depth (zero unless -s/-S was given)
#   - number of sites with this depth
#   - fraction of sites with this depth
# DP, Depth distribution
# DP\t[2]id\t[3]bin\t[4]number of genotypes\t[5]fraction of genotypes (%)\t[6]number of sites\t[7]fraction of sites (%)
";

const PSC_HEADER: &str = "# PSC, Per-sample counts. Note that the ref/het/hom counts include only SNPs, for indels see PSI. The rest include both SNPs and indels.
# PSC\t[2]id\t[3]sample\t[4]nRefHom\t[5]nNonRefHom\t[6]nHets\t[7]nTransitions\t[8]nTransversions\t[9]nIndels\t[10]average depth\t[11]nSingletons\t[12]nHapRef\t[13]nHapAlt\t[14]nMissing
";

const PSI_HEADER: &str = "# PSI, Per-Sample Indels. Note that alt-het genotypes with both ins and del allele are counted twice, in both nInsHets and nDelHets.
# PSI\t[2]id\t[3]sample\t[4]in-frame\t[5]out-frame\t[6]not applicable\t[7]out/(in+out) ratio\t[8]nInsHets\t[9]nDelHets\t[10]nInsAltHoms\t[11]nDelAltHoms
";

const HWE_HEADER: &str = "# HWE
# HWE\t[2]id\t[3]1st ALT allele frequency\t[4]Number of observations\t[5]25th percentile\t[6]median\t[7]75th percentile
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_c_prints_them() {
        assert_eq!(f32_fixed(0.125, 2), "0.12");
        assert_eq!(f32_fixed(1.0 / 3.0, 2), "0.33");
        assert_eq!(f32_fixed(0.29, 6), "0.290000");
        assert_eq!(f32_fixed(3.6666667, 1), "3.7");
    }

    #[test]
    fn an_empty_set_prints_every_header() {
        let mut out = Vec::new();
        let provenance = Provenance {
            producer: "Enclave test".into(),
            command: "enclave stats --bcftools x.vcf".into(),
            file: "x.vcf".into(),
        };
        write(&mut out, &BcftoolsStats::default(), &provenance).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "# This file was produced by bcftools stats (1.24-compatible; Enclave test)"
        ));
        assert!(text.contains("\nID\t0\tx.vcf\n"));
        assert!(text.contains("\nSN\t0\tnumber of records:\t0\n"));
        assert!(text.contains("\nTSTV\t0\t0\t0\t0.00\t0\t0\t0.00\n"));
        assert!(
            !text.contains("# PSC"),
            "no samples, no per-sample sections"
        );
    }
}
