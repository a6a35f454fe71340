//! [`varied_vcf`]: seeded VCF text with every kind of record a statistics test needs — SNPs
//! (with and without a shared prefix, lower-case and `N` bases), MNPs, insertions and
//! deletions (some past 60 bases), complex substitutions, multi-allelic sites mixing them,
//! symbolic alleles (`<DEL>`, `<NON_REF>`, `<*>`), `*`, breakends, no-ALT sites; haploid
//! genotypes on chrX for half the samples, missing and half-missing genotypes, a few of
//! ploidy 3, phased ones; AD with missing entries, FORMAT/DP missing, 0 and above 500, GQ;
//! INFO/DP (sometimes `.`), INFO/AC and AN (sometimes with the wrong number of AC values);
//! QUAL missing, negative, and above the 10^4 where bcftools' QUAL bins turn logarithmic.
//!
//! It stays inside what `bcftools stats` handles without stopping or reading past a value:
//! GT alleles exist, AN ≥ ΣAC, AD has one value per allele (or is `.`, but never for every
//! sample of a record) and is left out where an allele is symbolic or a breakend, and a record
//! whose FORMAT has DP has it for at least one sample. `cli/tests/bcftools_stats.rs` compares
//! Enclave with bcftools 1.24 on its output (committed under `testdata/generated/`).

use crate::rng::SplitMix64;

const BASES: [u8; 4] = *b"ACGT";

/// `records` records for `samples` samples (0: sites only, no FORMAT), from `seed`.
pub fn varied_vcf(seed: u64, records: usize, samples: usize) -> String {
    let mut rng = SplitMix64(seed);
    let mut out = String::from(
        "##fileformat=VCFv4.2\n\
         ##contig=<ID=1,length=100000000>\n\
         ##contig=<ID=X,length=100000000>\n\
         ##FILTER=<ID=PASS,Description=\"All filters passed\">\n\
         ##FILTER=<ID=q10,Description=\"Quality below 10\">\n\
         ##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Total depth\">\n\
         ##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count\">\n\
         ##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Allele number\">\n\
         ##ALT=<ID=DEL,Description=\"Deletion\">\n\
         ##ALT=<ID=NON_REF,Description=\"Any other allele\">\n\
         ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         ##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
         ##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    );
    if samples > 0 {
        out.push_str("\tFORMAT");
        for s in 0..samples {
            out.push_str(&format!("\tS{s}"));
        }
    }
    out.push('\n');
    let mut pos = [0u64; 2];
    for r in 0..records {
        let on_x = r * 7 % 8 == 0 || rng.chance(10);
        let chrom = usize::from(on_x);
        pos[chrom] += 1 + rng.below(5_000);
        let (reference, alts) = alleles(&mut rng);
        let line = record(&mut rng, on_x, pos[chrom], &reference, &alts, samples);
        out.push_str(&line);
    }
    out
}

fn base(rng: &mut SplitMix64) -> u8 {
    *rng.pick(&BASES)
}

fn bases(rng: &mut SplitMix64, n: usize) -> String {
    (0..n).map(|_| base(rng) as char).collect()
}

fn other_base(rng: &mut SplitMix64, b: u8) -> u8 {
    loop {
        let c = base(rng);
        if c != b.to_ascii_uppercase() {
            return c;
        }
    }
}

/// REF and the ALT alleles of one record (empty ALT: `.`).
fn alleles(rng: &mut SplitMix64) -> (String, Vec<String>) {
    let r = base(rng);
    let snp = |rng: &mut SplitMix64| (other_base(rng, r) as char).to_string();
    let one = (r as char).to_string();
    match rng.below(20) {
        0..=5 => (one, vec![snp(rng)]),
        6 => {
            // Two or three SNP alleles.
            let mut alts: Vec<String> = Vec::new();
            while alts.len() < 2 + rng.below(2) as usize {
                let a = snp(rng);
                if !alts.contains(&a) {
                    alts.push(a);
                }
            }
            (one, alts)
        }
        7 => {
            let len = if rng.chance(15) {
                61 + rng.below(20)
            } else {
                1 + rng.below(6)
            };
            (one.clone(), vec![one + &bases(rng, len as usize)])
        }
        8 => {
            let len = if rng.chance(15) {
                61 + rng.below(20)
            } else {
                1 + rng.below(6)
            };
            (one.clone() + &bases(rng, len as usize), vec![one])
        }
        9 => {
            // An MNP of two or three bases.
            let n = 2 + rng.below(2) as usize;
            let reference = bases(rng, n);
            let alt: String = reference
                .bytes()
                .map(|b| other_base(rng, b) as char)
                .collect();
            (reference, vec![alt])
        }
        10 => ("ACT".into(), vec!["TCGA".into()]),
        11 => {
            // SNP and indel alleles together.
            (one.clone(), vec![snp(rng), one.clone() + &bases(rng, 2)])
        }
        12 => (one, vec![snp(rng), "<NON_REF>".into()]),
        13 => (one, vec!["<*>".into()]),
        14 => (one, vec!["<DEL>".into()]),
        15 => (one, vec![snp(rng), "*".into()]),
        16 => (
            one.clone(),
            vec![format!("{one}[1:{}[", 1 + rng.below(1000))],
        ),
        17 => (one, Vec::new()),
        18 => {
            // A SNP after a shared base, lower-case or N: classes that read first bases.
            let pick = rng.below(3);
            let first = if pick == 0 { b'N' } else { base(rng) };
            let reference = format!("{}{}", first as char, r as char);
            let alt = format!("{}{}", first as char, other_base(rng, r) as char);
            if pick == 1 {
                (reference.to_ascii_lowercase(), vec![alt])
            } else {
                (reference, vec![alt])
            }
        }
        _ => {
            let del = one.clone() + &bases(rng, 2);
            (del.clone(), vec![one, del[..2].to_string()])
        }
    }
}

fn record(
    rng: &mut SplitMix64,
    on_x: bool,
    pos: u64,
    reference: &str,
    alts: &[String],
    samples: usize,
) -> String {
    let n_alleles = alts.len() + 1;
    let qual = match rng.below(20) {
        0 | 1 => ".".to_string(),
        2 => "-1".to_string(),
        // Past 9999.9 bcftools bins QUAL by decades. Six digits at most: `bcftools view`
        // writes QUAL with six significant digits, and the filtered cases' oracle reads its output.
        3 => (10_000 + rng.below(990_000)).to_string(),
        _ => format!("{}.{}", rng.below(400), rng.below(10)),
    };
    let filter = *rng.pick(&["PASS", "PASS", "PASS", ".", "q10"]);
    // Genotypes first: AC/AN count them.
    // htslib leaves the length of a symbolic allele or breakend unset, and bcftools files its
    // reads (VAF by length, IDD) under whatever length an earlier record left in memory: such
    // records get no AD (docs/STATS.md, "Differences").
    let unset_length = alts
        .iter()
        .any(|a| a.contains('[') || (a.starts_with('<') && a != "<NON_REF>" && a != "<*>"));
    let format = match rng.below(4) {
        _ if unset_length => "GT:GQ",
        0 => "GT",
        1 => "GT:AD:GQ",
        _ => "GT:AD:DP:GQ",
    };
    let mut counts = vec![0u32; n_alleles];
    let mut cells = Vec::with_capacity(samples);
    let mut dp_given = false;
    for s in 0..samples {
        let haploid = on_x && s % 2 == 1;
        let call = |rng: &mut SplitMix64| rng.below(n_alleles as u64) as u32;
        let gt: Vec<Option<u32>> = if rng.chance(6) {
            match rng.below(3) {
                0 if !haploid => vec![None, None],
                1 if !haploid => vec![Some(0), None],
                _ => vec![None],
            }
        } else if haploid {
            vec![Some(call(rng))]
        } else if rng.chance(2) {
            vec![Some(call(rng)), Some(call(rng)), Some(call(rng))]
        } else if rng.chance(50) {
            vec![Some(0), Some(if rng.chance(50) { 0 } else { call(rng) })]
        } else {
            vec![Some(call(rng)), Some(call(rng))]
        };
        for a in gt.iter().flatten() {
            counts[*a as usize] += 1;
        }
        let sep = if rng.chance(20) { "|" } else { "/" };
        let gt_text: Vec<String> = gt
            .iter()
            .map(|a| a.map_or(".".to_string(), |a| a.to_string()))
            .collect();
        let mut cell = gt_text.join(sep);
        let ad: Vec<u32> = (0..n_alleles).map(|_| rng.below(40) as u32).collect();
        if format.contains("AD") {
            cell.push(':');
            // Sample 0 always has one AD value per allele: with every AD `.`, htslib's AD
            // vector is one value wide and bcftools reads past it for allele 1.
            if s > 0 && rng.chance(5) {
                cell.push('.');
            } else {
                let parts: Vec<String> = ad
                    .iter()
                    .map(|v| {
                        if rng.chance(3) {
                            ".".into()
                        } else {
                            v.to_string()
                        }
                    })
                    .collect();
                cell.push_str(&parts.join(","));
            }
        }
        if format.contains("DP") {
            cell.push(':');
            match rng.below(20) {
                0 => cell.push('.'),
                1 => cell.push('0'),
                2 => cell.push_str(&(500 + rng.below(200)).to_string()),
                _ => cell.push_str(&(ad.iter().sum::<u32>() + rng.below(5) as u32).to_string()),
            }
            dp_given |= !cell.ends_with(":.");
        }
        if format.contains("GQ") {
            cell.push(':');
            if rng.chance(5) {
                cell.push('.');
            } else {
                cell.push_str(&rng.below(120).to_string());
            }
        }
        cells.push(cell);
    }
    if format.contains("DP") && !dp_given && samples > 0 {
        // A record whose FORMAT has DP gets it for one sample at least (see the module docs).
        let first = &mut cells[0];
        let gq = first.rfind(':').unwrap_or(first.len());
        let dp_start = first[..gq].rfind(':').unwrap_or(gq);
        first.replace_range(dp_start..gq, ":7");
    }
    let mut info: Vec<String> = Vec::new();
    match rng.below(10) {
        0..=5 => info.push(format!("DP={}", rng.below(700))),
        6 => info.push("DP=.".into()),
        _ => {}
    }
    if n_alleles > 1 && rng.chance(60) {
        let an: u32 = if samples == 0 {
            2 * 50
        } else {
            counts.iter().sum()
        };
        let mut ac: Vec<String> = if samples == 0 {
            let mut left = an;
            (1..n_alleles)
                .map(|_| {
                    let c = rng.below(u64::from(left) / 2 + 1) as u32;
                    left -= c;
                    c.to_string()
                })
                .collect()
        } else {
            counts[1..].iter().map(u32::to_string).collect()
        };
        if n_alleles > 2 && rng.chance(10) {
            ac.truncate(1);
        }
        info.push(format!("AC={}", ac.join(",")));
        info.push(format!("AN={an}"));
    }
    let info = if info.is_empty() {
        ".".to_string()
    } else {
        info.join(";")
    };
    let alt = if alts.is_empty() {
        ".".to_string()
    } else {
        alts.join(",")
    };
    let chrom = if on_x { "X" } else { "1" };
    let mut line = format!("{chrom}\t{pos}\t.\t{reference}\t{alt}\t{qual}\t{filter}\t{info}");
    if samples > 0 {
        line.push('\t');
        line.push_str(format);
        for c in cells {
            line.push('\t');
            line.push_str(&c);
        }
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_file() {
        let a = varied_vcf(7, 200, 3);
        assert_eq!(a, varied_vcf(7, 200, 3));
        assert_ne!(a, varied_vcf(8, 200, 3));
        let lines: Vec<&str> = a.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines.len(), 200);
        assert!(lines.iter().all(|l| l.split('\t').count() == 12));
        for kind in ["<DEL>", "<NON_REF>", ",*", "[1:", "\t.\t", "0/.", "DP=."] {
            assert!(a.contains(kind), "{kind} is generated");
        }
        let sites = varied_vcf(7, 50, 0);
        assert!(
            sites
                .lines()
                .filter(|l| !l.starts_with('#'))
                .all(|l| l.split('\t').count() == 8)
        );
    }
}
