//! Random files (seeded): the check never fails on odd genotypes and depths, its counts do not
//! depend on the order of the samples (peddy's do: docs/PEDIGREE_CHECK.md), and the tallies of
//! a file's parts add up to the whole file's.

use enclave_test_support::rng::SplitMix64;
use wasm_core::pedigree_check::{self, CheckParams};

use super::read;

const CONTIGS: [&str; 6] = ["1", "2", "X", "Y", "MT", "GL000192.1"];

/// One random cell: haploid, diploid, half-missing, triploid, multiallelic, absent fields,
/// AD of the wrong length or with missing values.
fn cell(rng: &mut SplitMix64, alts: u64) -> String {
    let allele = |rng: &mut SplitMix64| match rng.below(10) {
        0 => ".".to_string(),
        _ => rng.below(alts + 1).to_string(),
    };
    let gt = match rng.below(20) {
        0 => allele(rng),
        1 => format!("{}/{}/{}", allele(rng), allele(rng), allele(rng)),
        2 => ".".into(),
        _ => format!(
            "{}{}{}",
            allele(rng),
            if rng.chance(20) { '|' } else { '/' },
            allele(rng)
        ),
    };
    let dp = match rng.below(8) {
        0 => ".".to_string(),
        _ => rng.below(60).to_string(),
    };
    let values = match rng.below(10) {
        0 => 1,
        1 => alts + 2,
        _ => alts + 1,
    };
    let ad: Vec<String> = (0..values)
        .map(|_| match rng.below(12) {
            0 => ".".to_string(),
            _ => rng.below(40).to_string(),
        })
        .collect();
    match rng.below(12) {
        0 => gt,
        1 => format!("{gt}:{dp}"),
        _ => format!("{gt}:{dp}:{}", ad.join(",")),
    }
}

/// A random VCF with `samples` samples and about `records` records, sorted by contig order.
fn random_vcf(rng: &mut SplitMix64, samples: usize, records: u64) -> String {
    let mut t = String::from("##fileformat=VCFv4.2\n");
    if rng.chance(50) {
        t.push_str("##reference=GRCh38\n");
    }
    for c in CONTIGS {
        t.push_str(&format!("##contig=<ID={c}>\n"));
    }
    t.push_str(
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
         ##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    );
    for s in 0..samples {
        t.push_str(&format!("\tS{s}"));
    }
    t.push('\n');
    let bases = ["A", "C", "G", "T", "N"];
    for c in CONTIGS {
        let mut pos = 0;
        for _ in 0..rng.below(records) {
            pos += 1 + rng.below(3_000_000);
            let r = *rng.pick(&bases);
            let (alt, alts) = match rng.below(10) {
                0 => (format!("{r}T"), 1),
                1 => ("C,G".to_string(), 2),
                2 => ("*".to_string(), 1),
                3 => (".".to_string(), 0),
                _ => (rng.pick(&bases).to_string(), 1),
            };
            t.push_str(&format!("{c}\t{pos}\t.\t{r}\t{alt}\t.\t.\t.\tGT:DP:AD"));
            for _ in 0..samples {
                t.push('\t');
                t.push_str(&cell(rng, alts));
            }
            t.push('\n');
        }
    }
    t
}

/// The file with its sample columns in the order `order` (names move with their columns).
fn permuted(text: &str, order: &[usize]) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("##") {
            out.push_str(line);
        } else {
            let f: Vec<&str> = line.split('\t').collect();
            let mut g: Vec<&str> = f[..9].to_vec();
            g.extend(order.iter().map(|&s| f[9 + s]));
            out.push_str(&g.join("\t"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn random_files_order_free_and_additive() {
    let mut rng = SplitMix64(1414);
    let params = CheckParams::default();
    for case in 0..60 {
        let samples = 1 + rng.below(6) as usize;
        let text = random_vcf(&mut rng, samples, 120);
        let ds = read(text.as_bytes());
        let r = pedigree_check::check(&ds, None, &params);
        assert_eq!(r.sex.len(), samples, "case {case}");
        assert_eq!(r.pairs.len(), samples * (samples - 1) / 2, "case {case}");

        // Reversed sample order: every count the same, for the same names.
        let order: Vec<usize> = (0..samples).rev().collect();
        let flipped =
            pedigree_check::check(&read(permuted(&text, &order).as_bytes()), None, &params);
        for p in &r.pairs {
            let (a, b) = (&r.samples[p.a as usize], &r.samples[p.b as usize]);
            let q = flipped
                .pairs
                .iter()
                .find(|q| {
                    let (x, y) = (
                        &flipped.samples[q.a as usize],
                        &flipped.samples[q.b as usize],
                    );
                    (x == b && y == a) || (x == a && y == b)
                })
                .unwrap();
            assert_eq!(
                (
                    p.n,
                    p.ibs0,
                    p.ibs2,
                    p.shared_hets,
                    p.relatedness,
                    p.predicted
                ),
                (
                    q.n,
                    q.ibs0,
                    q.ibs2,
                    q.shared_hets,
                    q.relatedness,
                    q.predicted
                ),
                "case {case}: {a}-{b}"
            );
            let swapped = (p.hets_a, p.hets_b) == (q.hets_b, q.hets_a);
            let same = (p.hets_a, p.hets_b) == (q.hets_a, q.hets_b);
            assert!(swapped || same, "case {case}: {a}-{b} hets");
        }
        for s in &r.sex {
            let t = flipped.sex.iter().find(|t| t.sample == s.sample).unwrap();
            assert_eq!(s, t, "case {case}");
        }

        // The tallies of the records before and after a cut add up to the whole file's.
        let lines: Vec<&str> = text.lines().collect();
        let header = lines.iter().take_while(|l| l.starts_with('#')).count();
        let cut = header + rng.below((lines.len() - header) as u64 + 1) as usize;
        let part = |body: &[&str]| {
            let mut t = lines[..header].join("\n");
            t.push('\n');
            for l in body {
                t.push_str(l);
                t.push('\n');
            }
            t
        };
        let build = pedigree_check::build_of(&ds);
        let mut tally = pedigree_check::tally(
            &read(part(&lines[header..cut]).as_bytes()).store,
            build,
            &params,
        );
        tally.add(&pedigree_check::tally(
            &read(part(&lines[cut..]).as_bytes()).store,
            build,
            &params,
        ));
        let parts = pedigree_check::finish(&tally, None, &params);
        assert_eq!(parts.sex, r.sex, "case {case}");
        assert_eq!(parts.pairs, r.pairs, "case {case}");
        assert_eq!(parts.relatedness_sites, r.relatedness_sites, "case {case}");
    }
}
