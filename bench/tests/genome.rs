//! The whole-genome benchmark generator (`enclave_bench::genome`) writes what the benchmark rows
//! rely on: the same bytes for the same seed, sorted records on GRCh38's contigs, the advertised
//! mix of variants, genotypes and annotations, and a file bcftools and Enclave's engine read
//! without a warning and print back line for line.

use std::collections::HashSet;
use std::process::Command;

use enclave_bench::genome::{
    CSQ_FORMAT, GENES, GRCH38, GenomeSpec, GenomeSummary, SAMPLE_NAMES, write_genome_vcf,
};
use enclave_test_support::files::TempDir;
use enclave_test_support::oracle::available;

const RECORDS: u64 = 6_000;

fn generate(spec: &GenomeSpec) -> (String, GenomeSummary) {
    let mut out = Vec::new();
    let summary = write_genome_vcf(&mut out, spec).expect("writing to a Vec");
    (
        String::from_utf8(out).expect("the generator writes ASCII"),
        summary,
    )
}

/// The data lines, split into columns.
fn records(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect()
}

fn info<'a>(record: &[&'a str], key: &str) -> Option<&'a str> {
    record[7]
        .split(';')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let spec = GenomeSpec::new(2_000, 3);
    let (a, _) = generate(&spec);
    let (b, _) = generate(&spec);
    assert!(a == b, "two runs with one seed differ");
    let (c, _) = generate(&GenomeSpec { seed: 7, ..spec });
    assert_ne!(a, c, "another seed gave the same file");
}

#[test]
fn header_has_grch38_contigs_samples_and_vep_csq() {
    for samples in 1..=3 {
        let (text, _) = generate(&GenomeSpec::new(10, samples));
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        assert_eq!(header[0], "##fileformat=VCFv4.2");
        assert!(header.contains(&"##reference=GRCh38"));
        let contigs: Vec<String> = header
            .iter()
            .filter(|l| l.starts_with("##contig="))
            .map(|l| l.to_string())
            .collect();
        let expected: Vec<String> = GRCH38
            .iter()
            .map(|(name, length)| format!("##contig=<ID={name},length={length},assembly=GRCh38>"))
            .collect();
        assert_eq!(contigs, expected);
        assert_eq!(GRCH38[0], ("chr1", 248_956_422));
        assert_eq!(GRCH38[22], ("chrX", 156_040_895));
        assert!(header.iter().any(|l| l.starts_with("##INFO=<ID=CSQ")
            && l.contains(&format!("Ensembl VEP. Format: {CSQ_FORMAT}\""))));
        for id in ["PASS", "LowQual", "LowDP"] {
            assert!(
                header
                    .iter()
                    .any(|l| l.starts_with(&format!("##FILTER=<ID={id},")))
            );
        }
        assert!(header.contains(
            &"##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths for the ref and alt alleles in the order listed\">"
        ));
        let columns: Vec<&str> = header.last().unwrap().split('\t').collect();
        assert_eq!(columns[8], "FORMAT");
        assert_eq!(&columns[9..], &SAMPLE_NAMES[..samples]);
    }
}

#[test]
fn records_are_sorted_spread_by_length_and_inside_their_contig() {
    let (text, summary) = generate(&GenomeSpec::new(RECORDS, 1));
    let records = records(&text);
    assert_eq!(records.len() as u64, RECORDS);
    assert_eq!(summary.records, RECORDS);
    assert_eq!(summary.text_bytes, text.len() as u64);
    let order: Vec<&str> = GRCH38.iter().map(|(name, _)| *name).collect();
    let genome: u64 = GRCH38.iter().map(|(_, l)| l).sum();
    let mut counts = vec![0u64; GRCH38.len()];
    let mut last = (0usize, 0u64);
    for r in &records {
        let contig = order
            .iter()
            .position(|c| *c == r[0])
            .expect("a GRCh38 contig");
        let pos: u64 = r[1].parse().unwrap();
        assert!(
            (contig, pos) > last,
            "{}:{pos} after {}:{}",
            r[0],
            order[last.0],
            last.1
        );
        assert!(pos + r[3].len() as u64 <= GRCH38[contig].1);
        last = (contig, pos);
        counts[contig] += 1;
    }
    for ((name, length), count) in GRCH38.iter().zip(&counts) {
        let share = RECORDS * length / genome;
        assert!(
            count.abs_diff(share) <= 1,
            "{name}: {count} records, expected {share}"
        );
    }
}

#[test]
fn variant_genotype_quality_and_annotation_mix_is_realistic() {
    let (text, summary) = generate(&GenomeSpec::new(RECORDS, 3));
    let records = records(&text);
    let n = records.len() as f64;
    let share = |count: usize| count as f64 / n;
    let (mut snv, mut indel, mut multi, mut annotated, mut qual30) = (0, 0, 0, 0, 0);
    let (mut het, mut hom, mut missing) = (0, 0, 0);
    let mut genes_seen = HashSet::new();
    for r in &records {
        let alts: Vec<&str> = r[4].split(',').collect();
        let alleles = alts.len() + 1;
        match (alts.len(), r[3].len(), alts[0].len()) {
            (1, 1, 1) => snv += 1,
            (1, ..) => indel += 1,
            _ => multi += 1,
        }
        if r[5].parse::<f64>().unwrap() > 30.0 {
            qual30 += 1;
        }
        // Number=A in INFO, Number=R and Number=G in FORMAT, for every called sample.
        for key in ["AC", "AF"] {
            if let Some(v) = info(r, key) {
                assert_eq!(v.split(',').count(), alts.len(), "{key} in {r:?}");
            }
        }
        assert_eq!(r[8], "GT:AD:DP:GQ:PL");
        for (s, sample) in r[9..].iter().enumerate() {
            let fields: Vec<&str> = sample.split(':').collect();
            assert_eq!(fields.len(), 5, "{sample}");
            if fields[0] == "./." {
                missing += usize::from(s == 0);
                continue;
            }
            let gt: Vec<usize> = fields[0].split('/').map(|a| a.parse().unwrap()).collect();
            assert!(gt.iter().all(|&a| a < alleles), "{sample} at {r:?}");
            if s == 0 {
                if gt[0] == gt[1] {
                    hom += 1;
                } else {
                    het += 1;
                }
            }
            let ad: Vec<u64> = fields[1].split(',').map(|v| v.parse().unwrap()).collect();
            assert_eq!(ad.len(), alleles, "AD of {sample} at {}:{}", r[0], r[1]);
            let dp: u64 = fields[2].parse().unwrap();
            assert!(ad.iter().sum::<u64>() <= dp);
            assert_eq!(fields[4].split(',').count(), alleles * (alleles + 1) / 2);
        }
        if let Some(csq) = info(r, "CSQ") {
            annotated += 1;
            let contig = GRCH38.iter().position(|(c, _)| *c == r[0]).unwrap();
            let mut features = HashSet::new();
            let entries: Vec<&str> = csq.split(',').collect();
            for entry in &entries {
                let f: Vec<&str> = entry.split('|').collect();
                assert_eq!(f.len(), CSQ_FORMAT.split('|').count(), "{entry}");
                assert_eq!(
                    wasm_core::annotation::impact(f[1]),
                    Some(f[2]),
                    "IMPACT of {}",
                    f[1]
                );
                for term in f[1].split('&') {
                    assert!(
                        wasm_core::annotation::CONSEQUENCE_TERMS.contains(&term),
                        "{term} is not an Ensembl term"
                    );
                }
                assert!(GENES[contig].contains(&f[3]), "{} on {}", f[3], r[0]);
                genes_seen.insert(f[3]);
                features.insert(f[6]);
            }
            assert!((1..=3).contains(&features.len()), "{csq}");
            assert_eq!(entries.len(), features.len() * alts.len(), "{csq}");
        }
    }
    assert_eq!(summary.annotated, annotated as u64);
    assert_eq!(
        (summary.snvs, summary.indels, summary.multiallelic),
        (snv as u64, indel as u64, multi as u64)
    );
    let within = |what: &str, value: f64, lo: f64, hi: f64| {
        assert!(
            (lo..=hi).contains(&value),
            "{what}: {value:.3} not in {lo}..{hi}"
        );
    };
    within("SNVs", share(snv), 0.82, 0.88);
    within("indels", share(indel), 0.11, 0.15);
    within("multi-allelic", share(multi), 0.01, 0.03);
    within("annotated", share(annotated), 0.27, 0.33);
    within("QUAL>30", share(qual30), 0.80, 0.95);
    within("het (first sample)", share(het), 0.55, 0.65);
    within("hom-alt (first sample)", share(hom), 0.30, 0.40);
    within("missing (first sample)", share(missing), 0.02, 0.08);
    assert!(
        genes_seen.len() > 100,
        "only {} genes annotated",
        genes_seen.len()
    );
}

#[test]
fn bcftools_reads_it_without_warnings_and_prints_the_same_lines() {
    let test = "bcftools_reads_it_without_warnings_and_prints_the_same_lines";
    if !available(test, &["bcftools"]) {
        return;
    }
    let dir = TempDir::new("bench-genome");
    for samples in [1, 3] {
        let (text, _) = generate(&GenomeSpec::new(3_000, samples));
        let path = dir.join(format!("genome-{samples}s.vcf"));
        std::fs::write(&path, &text).unwrap();
        let output = Command::new("bcftools")
            .args(["view", "-H"])
            .arg(&path)
            .output()
            .expect("bcftools runs");
        assert!(output.status.success(), "bcftools view failed");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "",
            "bcftools warned"
        );
        // Floats are written as htslib prints them, so bcftools' output is the input's data lines.
        let data: String = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| [l, "\n"])
            .collect();
        let printed = String::from_utf8(output.stdout).unwrap();
        if let Some((a, b)) = data.lines().zip(printed.lines()).find(|(a, b)| a != b) {
            panic!("bcftools printed\n{b}\nfor\n{a}");
        }
        assert_eq!(printed.len(), data.len());
    }
}

#[test]
fn enclave_reads_it_without_warnings_and_finds_a_gene() {
    let (text, _) = generate(&GenomeSpec::new(RECORDS, 1));
    let bytes = text.as_bytes();
    let dataset = wasm_core::read_dataset(
        bytes,
        Some(bytes.len() as u64),
        &mut wasm_core::progress::Silent,
    )
    .expect("the engine reads the generated VCF");
    assert_eq!(dataset.summary.records, RECORDS);
    assert_eq!(dataset.summary.warnings, Vec::<String>::new());
    assert_eq!(dataset.summary.reference_build.as_deref(), Some("GRCh38"));
    let genes = wasm_core::regions::GeneList::parse("BRCA1 TP53").unwrap();
    let found = genes.matches(&dataset.store);
    assert!(
        found.records.iter().all(|&n| n > 0),
        "gene query found {:?} records for BRCA1, TP53",
        found.records
    );
}
