//! DESIGN.md's memory budget on the whole-genome shape: "≤ 100 bytes of memory per variant in
//! the store (one sample)", checked on a small file from the benchmark generator
//! (`enclave_bench::genome`), and the compact store giving back every value of it.
//!
//! `store_bytes` counts the columns' capacities after loading has settled every column on its
//! layout and released growth slack, so the same file always gives the same number.

use enclave_bench::genome::{GenomeSpec, write_genome_vcf};
use wasm_core::export::query::QueryFormat;
use wasm_core::progress::Silent;

const RECORDS: u64 = 20_000;
const BUDGET: f64 = 100.0;

fn load(records: u64, samples: usize) -> (String, wasm_core::Dataset) {
    let mut text = Vec::new();
    write_genome_vcf(&mut text, &GenomeSpec::new(records, samples)).expect("writing to a Vec");
    let dataset = wasm_core::read_dataset(text.as_slice(), Some(text.len() as u64), &mut Silent)
        .expect("the engine reads the generated VCF");
    (String::from_utf8(text).expect("ASCII"), dataset)
}

fn breakdown(ds: &wasm_core::Dataset) -> String {
    let n = ds.summary.records as f64;
    ds.store
        .column_bytes()
        .iter()
        .map(|c| {
            format!(
                "{:<12} {:>7.2} B  {}\n",
                c.column,
                c.bytes as f64 / n,
                c.layout
            )
        })
        .collect()
}

#[test]
fn one_sample_genome_stays_within_100_bytes_per_variant() {
    let (_, ds) = load(RECORDS, 1);
    let per_variant = ds.summary.store_bytes as f64 / ds.summary.records as f64;
    assert!(
        per_variant <= BUDGET,
        "{per_variant:.1} B per variant, over the {BUDGET} B budget:\n{}",
        breakdown(&ds)
    );
    // The same file, the same bytes.
    let (_, again) = load(RECORDS, 1);
    assert_eq!(again.summary.store_bytes, ds.summary.store_bytes);
}

#[test]
fn the_compact_store_gives_back_every_value() {
    for samples in [1, 3] {
        let (text, ds) = load(RECORDS, samples);
        let store = &ds.store;
        // CSQ is long enough to be held compressed.
        let csq = store
            .column_bytes()
            .into_iter()
            .find(|c| c.column == "INFO/CSQ");
        assert_eq!(csq.map(|c| c.layout).as_deref(), Some("blocks"));
        let format = QueryFormat::parse(
            r"%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER\t%INFO[\t%GT:%AD:%DP:%GQ:%PL]\n",
        )
        .expect("a valid format");
        let mut line = Vec::new();
        for (i, input) in text.lines().filter(|l| !l.starts_with('#')).enumerate() {
            line.clear();
            format.render(store, i, None, &mut line);
            // The input without its FORMAT column: every sample writes GT:AD:DP:GQ:PL.
            let mut expected: Vec<&str> = input.split('\t').collect();
            expected.remove(8);
            let expected = expected.join("\t") + "\n";
            assert_eq!(
                String::from_utf8_lossy(&line),
                expected,
                "record {i} ({samples} samples)"
            );
        }
    }
}
