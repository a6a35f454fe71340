//! The statistics of a file's parts, merged, equal the statistics of the whole file — the app
//! holds a large file as shards (one store per worker) and merges what each shard answers.
//!
//! A generated VCF (SNPs, MNPs, indels of every length up past 60, multi-allelic sites,
//! symbolic and reference-like alleles, missing and haploid genotypes, AD / DP / GQ, INFO/DP,
//! AC/AN on some records, FILTER names, contigs out of header order, VEP CSQ) is cut into
//! parts at several boundaries; each part is read as its own store (header + its records, as a
//! shard is) and `BcftoolsStats::merge` / `QcStats::merge` of the parts' statistics must equal
//! those of one store — every count exactly, the means and quartiles derived again from counts,
//! and the bcftools text line for line; for the whole file and for a filter's passing records;
//! with a PED, the per-trio Mendelian errors and de novo counts too.

use enclave_test_support::rng::SplitMix64;
use wasm_core::bitmap::Bitmap;
use wasm_core::filter::{Filter, Mode, NoFiles};
use wasm_core::inheritance::Build;
use wasm_core::pedigree::Pedigree;
use wasm_core::progress::Silent;
use wasm_core::stats::bcftools::{self, BcftoolsStats};
use wasm_core::stats::qc::{self, QcStats, merged_names};
use wasm_core::stats::text;
use wasm_core::stats::trios;
use wasm_core::store::VariantStore;

const HEADER: &str = "##fileformat=VCFv4.2\n\
##reference=GRCh38\n\
##contig=<ID=chr1,length=248956422>\n##contig=<ID=chr2,length=242193529>\n\
##contig=<ID=chrX,length=156040895>\n\
##FILTER=<ID=PASS,Description=\"ok\">\n##FILTER=<ID=q10,Description=\"low\">\n\
##FILTER=<ID=LowDP,Description=\"low depth\">\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"\">\n\
##INFO=<ID=AC,Number=A,Type=Integer,Description=\"\">\n\
##INFO=<ID=AN,Number=1,Type=Integer,Description=\"\">\n\
##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tDAD\tMUM\n";

const PED: &str = "F\tKID\tDAD\tMUM\t1\t2\nF\tDAD\t0\t0\t1\t1\nF\tMUM\t0\t0\t2\t1\n";

fn random_alt(rng: &mut SplitMix64, reference: &str) -> String {
    const BASES: [&str; 4] = ["A", "C", "G", "T"];
    let base = |rng: &mut SplitMix64| rng.pick(&BASES).to_string();
    match rng.below(12) {
        0..=4 => loop {
            let b = base(rng);
            if b != reference[..1] {
                return b + &reference[1..];
            }
        },
        5 => reference[..1].to_string(),
        6 => {
            let n = [1, 2, 5, 59, 60, 75][rng.below(6) as usize];
            reference.to_string() + &"ACGT".repeat(20)[..n]
        }
        7 => "<DEL>".into(),
        8 => "<*>".into(),
        9 => {
            let mut mnp: String = reference.chars().map(|_| base(rng)).collect();
            mnp.push_str(&base(rng));
            mnp
        }
        _ => reference.to_string() + &base(rng),
    }
}

fn genotype(rng: &mut SplitMix64, alts: usize, haploid: bool) -> String {
    let allele = |rng: &mut SplitMix64| rng.below(alts as u64 + 1).to_string();
    if rng.chance(8) {
        return if haploid { "." } else { "./." }.into();
    }
    if haploid {
        return allele(rng);
    }
    let sep = if rng.chance(30) { "|" } else { "/" };
    let (a, b) = if rng.chance(40) {
        ("0".to_string(), "0".to_string())
    } else {
        (allele(rng), allele(rng))
    };
    format!("{a}{sep}{b}")
}

/// `n` records over three contigs, chr2 before chr1 for a while (contigs out of header order).
fn records(n: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64(seed);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let contig = match i * 3 / n {
            0 => "chr2",
            1 => "chr1",
            _ => "chrX",
        };
        let pos = 1000 + 17 * i;
        let reference = match rng.below(5) {
            0 => "AC".to_string(),
            1 => "ACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGTTGCAACGT".into(),
            _ => rng.pick(&["A", "C", "G", "T"]).to_string(),
        };
        let n_alts = if rng.chance(20) { 2 } else { 1 };
        let mut alts: Vec<String> = Vec::new();
        while alts.len() < n_alts {
            let a = random_alt(&mut rng, &reference);
            if !alts.contains(&a) {
                alts.push(a);
            }
        }
        let qual = if rng.chance(10) {
            ".".to_string()
        } else {
            format!("{}", rng.below(3000) as f64 / 10.0)
        };
        let filter = *rng.pick(&["PASS", "PASS", "PASS", "q10", "q10;LowDP", "."]);
        let mut info = vec![format!("DP={}", rng.below(700))];
        if rng.chance(30) {
            let acs: Vec<String> = (0..n_alts).map(|_| rng.below(4).to_string()).collect();
            info.push(format!("AC={};AN=6", acs.join(",")));
        }
        if rng.chance(40) {
            let csq = rng.pick(&[
                "X|missense_variant|MODERATE|G1",
                "X|stop_gained&splice_region_variant|HIGH|G2",
                "X|intron_variant|MODIFIER|G1,X|synonymous_variant|LOW|G1",
                "X|made_up_term|MODIFIER|G3",
            ]);
            info.push(format!("CSQ={csq}"));
        }
        let haploid = contig == "chrX" && rng.chance(50);
        let samples: Vec<String> = (0..3)
            .map(|s| {
                let gt = genotype(&mut rng, n_alts, haploid && s != 2);
                let ad: Vec<String> = (0..=n_alts)
                    .map(|_| {
                        if rng.chance(5) {
                            ".".into()
                        } else {
                            rng.below(40).to_string()
                        }
                    })
                    .collect();
                let dp = if rng.chance(5) {
                    ".".into()
                } else {
                    rng.below(120).to_string()
                };
                let gq = if rng.chance(5) {
                    ".".into()
                } else {
                    rng.below(130).to_string()
                };
                format!("{gt}:{}:{dp}:{gq}", ad.join(","))
            })
            .collect();
        lines.push(format!(
            "{contig}\t{pos}\t.\t{reference}\t{}\t{qual}\t{filter}\t{}\tGT:AD:DP:GQ\t{}\n",
            alts.join(","),
            info.join(";"),
            samples.join("\t")
        ));
    }
    lines
}

fn read(lines: &[String]) -> VariantStore {
    let text = String::from(HEADER) + &lines.concat();
    wasm_core::read_dataset(text.as_bytes(), None, &mut Silent)
        .expect("the generated file reads")
        .store
}

fn passing(store: &VariantStore, expression: Option<&str>) -> Option<Bitmap> {
    let expression = expression?;
    let filter = Filter::compile(expression, store, Mode::Include, &NoFiles).expect("compiles");
    Some(filter.evaluate(store).pass)
}

fn stats_text(s: &BcftoolsStats) -> String {
    let provenance = text::Provenance {
        producer: "test".into(),
        command: "test".into(),
        file: "x.vcf".into(),
    };
    let mut out = Vec::new();
    text::write(&mut out, s, &provenance).unwrap();
    String::from_utf8(out).unwrap()
}

/// Means and VAF sums are sums of floats added in another order by a merge: equal to the
/// last bits. Everything else is compared exactly after they are.
fn assert_same_bcftools(merged: &BcftoolsStats, whole: &BcftoolsStats, what: &str) {
    assert!(
        stats_text(merged) == stats_text(whole),
        "{what}: bcftools text differs"
    );
    let mut merged = merged.clone();
    assert_eq!(
        merged.indel_lengths.len(),
        whole.indel_lengths.len(),
        "{what}"
    );
    for (m, w) in merged.indel_lengths.iter_mut().zip(&whole.indel_lengths) {
        assert!(
            (m.vaf_sum - w.vaf_sum).abs() <= 1e-9 * w.vaf_sum.abs().max(1.0),
            "{what}"
        );
        m.vaf_sum = w.vaf_sum;
        m.mean_vaf = w.mean_vaf;
    }
    assert_eq!(&merged, whole, "{what}");
}

fn assert_same_qc(merged: &QcStats, whole: &QcStats, what: &str) {
    let mut merged = merged.clone();
    if let (Some(m), Some(w)) = (&mut merged.allele_balance, &whole.allele_balance) {
        for (m, w) in m.iter_mut().zip(w) {
            assert!(
                (m.sum - w.sum).abs() <= 1e-9 * w.sum.abs().max(1.0),
                "{what}"
            );
            m.sum = w.sum;
            if let (Some(a), Some(b)) = (m.mean, w.mean) {
                assert!((a - b).abs() <= 1e-12, "{what}");
            }
            m.mean = w.mean;
        }
    }
    assert_eq!(&merged, whole, "{what}");
}

#[test]
fn parts_merged_equal_the_whole_file() {
    let lines = records(3000, 15);
    let whole = read(&lines);
    let pedigree = Pedigree::parse(PED.as_bytes()).unwrap();
    let whole_trios =
        trios::judge(&whole, &pedigree, Some(Build::GRCh38)).expect("the trio is judged");
    assert_eq!(whole_trios.len(), 1);
    assert!(
        whole_trios[0].mendel_errors.count_ones() > 0,
        "random calls hold Mendelian errors"
    );
    let cuts: &[&[usize]] = &[
        &[1500],
        &[1, 2, 3, 1000, 2999],
        &[700, 1400, 2100],
        &[0, 1000, 1000, 3000],
    ];
    for expression in [None, Some("QUAL>30 && INFO/DP>100"), Some("GT[0]=\"het\"")] {
        let keep = passing(&whole, expression);
        let want = bcftools::compute(&whole, keep.as_ref());
        let calls: Vec<_> = whole_trios.iter().map(|t| t.calls()).collect();
        let want_qc = qc::compute_with_trios(&whole, keep.as_ref(), &calls);
        assert!(want.summary.records > 0 && want_qc.trios[0].sites > 0);
        for &cut in cuts {
            let what = format!("{expression:?} cut at {cut:?}");
            let mut bounds = vec![0];
            bounds.extend_from_slice(cut);
            bounds.push(lines.len());
            let (mut parts, mut parts_qc) = (Vec::new(), Vec::new());
            let (mut contigs, mut filters) = (Vec::new(), Vec::new());
            for w in bounds.windows(2) {
                let store = read(&lines[w[0]..w[1]]);
                let keep = passing(&store, expression);
                parts.push(bcftools::compute(&store, keep.as_ref()));
                let judged = trios::judge(&store, &pedigree, Some(Build::GRCh38)).unwrap();
                let calls: Vec<_> = judged.iter().map(|t| t.calls()).collect();
                parts_qc.push(qc::compute_with_trios(&store, keep.as_ref(), &calls));
                contigs.push(store.contigs().to_vec());
                filters.push(store.filter_names().to_vec());
            }
            assert_same_bcftools(&BcftoolsStats::merge(&parts), &want, &what);
            let merged =
                QcStats::merge(&parts_qc, &merged_names(&contigs), &merged_names(&filters))
                    .unwrap();
            assert_same_qc(&merged, &want_qc, &what);
        }
    }
}

#[test]
fn one_part_is_itself_and_no_part_is_empty() {
    let store = read(&records(200, 3));
    let s = bcftools::compute(&store, None);
    assert_eq!(BcftoolsStats::merge(std::slice::from_ref(&s)), s);
    assert_eq!(BcftoolsStats::merge(&[]), BcftoolsStats::default());
    let q = qc::compute(&store, None);
    let names = |v: &[String]| v.to_vec();
    assert_eq!(
        QcStats::merge(
            std::slice::from_ref(&q),
            &names(store.contigs()),
            &names(store.filter_names())
        ),
        Some(q)
    );
    assert!(QcStats::merge(&[], &[], &[]).is_none());
}

#[test]
fn a_multi_allelic_site_split_from_its_neighbours_counts_once() {
    // Each record its own part: the finest split there is.
    let lines = records(120, 99);
    let whole = read(&lines);
    let parts: Vec<BcftoolsStats> = lines
        .chunks(1)
        .map(|l| bcftools::compute(&read(l), None))
        .collect();
    let want = bcftools::compute(&whole, None);
    assert!(want.summary.multiallelic > 0 && want.summary.indels > 0);
    assert!(
        want.samples
            .iter()
            .any(|s| s.hap_ref + s.hap_alt > 0 && s.missing > 0)
    );
    assert_same_bcftools(&BcftoolsStats::merge(&parts), &want, "one record per part");
}
