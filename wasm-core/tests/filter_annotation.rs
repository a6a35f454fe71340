//! Filtering on VEP CSQ sub-fields, against `bcftools +split-vep -i` (the installed bcftools is
//! the oracle; skipped with a notice when it is absent). Numeric sub-fields are compared with
//! split-vep's `:float` type, which is how Enclave reads `*_AF` columns.

use std::process::Command;

use enclave_test_support::files::testdata_path;
use wasm_core::filter::{Filter, Mode, NoFiles};
use wasm_core::progress::Silent;

const FILE: &str = "annotation/bcftools/test/split-vep.vcf";

fn positions(expr: &str) -> Vec<String> {
    let path = testdata_path(FILE);
    let f = std::fs::File::open(&path).expect("test file");
    let store = wasm_core::read_dataset(f, None, &mut Silent)
        .expect("reads")
        .store;
    let filter = Filter::compile(expr, &store, Mode::Include, &NoFiles)
        .unwrap_or_else(|e| panic!("{}", e.render(expr)));
    filter
        .evaluate(&store)
        .pass
        .iter_ones()
        .map(|i| format!("{}\t{}", store.chrom(i), store.pos(i)))
        .collect()
}

#[test]
fn csq_subfields_select_what_split_vep_selects() {
    let path = testdata_path(FILE);
    let cases = [
        ("SYMBOL~\"SAMD11\"", "SYMBOL"),
        ("CSQ/SYMBOL==\"SAMD11\"", "SYMBOL"),
        ("IMPACT=\"HIGH\"", "IMPACT"),
        ("IMPACT=\"MODERATE\" || IMPACT=\"HIGH\"", "IMPACT"),
        ("Consequence~\"missense\"", "Consequence"),
        ("gnomAD_NFE_AF<0.001", "gnomAD_NFE_AF:float"),
        ("gnomAD_NFE_AF>0.01", "gnomAD_NFE_AF:float"),
    ];
    let mut compared = 0;
    for (expr, column) in cases {
        let ours = positions(expr);
        assert!(!ours.is_empty(), "{expr} selects something in this file");
        let oracle_expr = expr.replace("CSQ/", "");
        let out = match Command::new("bcftools")
            .args([
                "+split-vep",
                "-c",
                column,
                "-f",
                "%CHROM\t%POS\n",
                "-i",
                &oracle_expr,
            ])
            .arg(&path)
            .output()
        {
            Ok(o) if o.status.success() => o,
            _ => {
                println!("notice: bcftools +split-vep is not available; comparison skipped");
                return;
            }
        };
        let mut theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        theirs.dedup();
        assert_eq!(ours, theirs, "{expr}");
        compared += 1;
    }
    assert_eq!(compared, cases.len());
}

#[test]
fn extracted_subfields_are_reused_across_compiles() {
    use wasm_core::filter::FilterCache;
    let path = testdata_path(FILE);
    let f = std::fs::File::open(&path).expect("test file");
    let store = wasm_core::read_dataset(f, None, &mut Silent)
        .expect("reads")
        .store;
    let mut cache = FilterCache::default();
    let first = Filter::compile_cached(
        "CSQ/IMPACT=\"HIGH\"",
        &store,
        Mode::Include,
        &NoFiles,
        &mut cache,
    )
    .unwrap()
    .evaluate(&store);
    let held = cache.heap_bytes();
    assert!(held > 0, "the IMPACT column is kept");
    // Another expression on the same sub-field reuses it; the answer does not change.
    let again = Filter::compile_cached(
        "IMPACT=\"HIGH\" || QUAL>0",
        &store,
        Mode::Include,
        &NoFiles,
        &mut cache,
    )
    .unwrap();
    assert_eq!(cache.heap_bytes(), held, "no second extraction");
    let plain =
        Filter::compile("IMPACT=\"HIGH\" || QUAL>0", &store, Mode::Include, &NoFiles).unwrap();
    assert_eq!(again.evaluate(&store).pass, plain.evaluate(&store).pass);
    assert_eq!(first.pass.count_ones(), 6);
}
