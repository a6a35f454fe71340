//! Browser tests of the worker's filter side ([`Session`]) in a dedicated worker: counts equal
//! bcftools' on a small annotated VCF, per-clause "removed by" numbers add up, errors carry the
//! span of what is wrong and leave the previous filter in force, region and gene lists narrow
//! the set, and the table pages over the passing records only.

use std::io::Cursor;

use app::protocol::{ClauseSource, FilterRejection, FilterReport};
use app::session::Session;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::filter::Mode;
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use wasm_core::store::SortKey;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// 8 records, 2 samples; see data/SOURCE.txt.
const VCF: &[u8] = include_bytes!("data/filter_small.vcf");

fn session() -> Session {
    let dataset = read_dataset(Cursor::new(VCF), Some(VCF.len() as u64), &mut Silent).unwrap();
    Session::new(dataset)
}

fn include(s: &mut Session, expression: &str) -> FilterReport {
    s.filter(expression, Mode::Include, None, None, &|| 0.0)
        .unwrap_or_else(|e| panic!("{expression}: {e:?}"))
}

fn removed(report: &FilterReport) -> Vec<(String, u64)> {
    report
        .clauses
        .iter()
        .map(|c| (c.text.clone(), c.removed))
        .collect()
}

#[wasm_bindgen_test]
fn counts_equal_bcftools() {
    let mut s = session();
    // Each: `bcftools view -H -i EXPR app/tests/data/filter_small.vcf | wc -l`.
    let cases = [
        ("QUAL>=40", 5),
        ("QUAL>=40 && INFO/DP>=30", 4),
        (r#"FILTER="PASS" && FMT/GQ>=20 && FMT/DP>=10"#, 6),
        (r#"GT[1]="het""#, 5),
        (r#"GT[0]="AA""#, 1),
        (r#"GT[0]="mis""#, 1),
        (r#"GT[0]="alt""#, 5),
        (r#"(INFO/gnomAD_AF<0.01 || INFO/gnomAD_AF=".")"#, 5),
        ("FMT/DP>=10 & FMT/GQ>=40", 5),
    ];
    for (expression, want) in cases {
        let report = include(&mut s, expression);
        assert_eq!(report.passing, want, "{expression}");
        assert_eq!(report.total, 8);
        assert_eq!(s.passing(), want, "{expression}");
        let sum: u64 = report.clauses.iter().map(|c| c.removed).sum();
        assert_eq!(sum, 8 - want, "removed counts add up for {expression}");
    }
    // `bcftools view -H -e 'QUAL>=40'`: 3.
    let report = s
        .filter("QUAL>=40", Mode::Exclude, None, None, &|| 0.0)
        .unwrap();
    assert_eq!(report.passing, 3);
}

#[wasm_bindgen_test]
fn each_clause_says_what_it_removed() {
    let mut s = session();
    let report = include(&mut s, "QUAL>=40 && INFO/DP>=30");
    assert_eq!(
        removed(&report),
        [("QUAL>=40".to_string(), 3), ("INFO/DP>=30".to_string(), 1)]
    );
    // DP alone fails 4 records (8, 22, 5, 28); QUAL had removed three of them already.
    assert_eq!(report.clauses[1].failing, 4);
    assert_eq!(
        report.clauses[1].span.map(|s| (s.start, s.end)),
        Some((12, 23))
    );
    // Re-applying with one clause changed gives the same numbers as from scratch.
    let edited = include(&mut s, "QUAL>=40 && INFO/DP>=50");
    let fresh = include(&mut session(), "QUAL>=40 && INFO/DP>=50");
    assert_eq!(removed(&edited), removed(&fresh));
    assert_eq!(edited.passing, 2);
}

#[wasm_bindgen_test]
fn a_broken_expression_points_at_the_problem_and_keeps_the_filter() {
    let mut s = session();
    include(&mut s, "QUAL>=40");
    let rejection = s
        .filter("QUAL>", Mode::Include, None, None, &|| 0.0)
        .expect_err("QUAL> is incomplete");
    let FilterRejection::Expression { error } = rejection else {
        panic!("an expression error: {rejection:?}");
    };
    assert_eq!(error.span.start, 5, "the caret goes after `>`: {error:?}");
    assert!(!error.message.is_empty());
    assert_eq!(s.passing(), 5, "the previous filter stays in force");

    let rejection = s
        .filter("QUAL>=40 && NOPE>1", Mode::Include, None, None, &|| 0.0)
        .expect_err("an unknown field");
    let FilterRejection::Expression { error } = rejection else {
        panic!("an expression error: {rejection:?}");
    };
    assert_eq!((error.span.start, error.span.end), (12, 16), "{error:?}");
    assert_eq!(s.passing(), 5);
}

#[wasm_bindgen_test]
fn regions_and_genes_narrow_and_report() {
    let mut s = session();
    // `bcftools view -H -r 1:150-350` (on a bgzipped, indexed copy): 2 records.
    let report = s
        .filter("", Mode::Include, Some("1:150-350"), None, &|| 0.0)
        .unwrap();
    assert_eq!(report.passing, 2);
    assert_eq!(report.clauses.len(), 1);
    assert_eq!(report.clauses[0].source, ClauseSource::Regions);
    assert_eq!(report.clauses[0].removed, 6);

    let report = s
        .filter(
            "QUAL>=40",
            Mode::Include,
            None,
            Some("GENE1, GENE5\nNOPE"),
            &|| 0.0,
        )
        .unwrap();
    // GENE1: 100, 200; GENE5: 3000, 4000. QUAL>=40 already removed 200.
    assert_eq!(report.passing, 3);
    assert_eq!(report.genes_not_found, ["NOPE"]);
    let genes = report.clauses.last().unwrap();
    assert_eq!(genes.source, ClauseSource::Genes);
    assert_eq!((genes.failing, genes.removed), (4, 2));

    let rejection = s
        .filter("", Mode::Include, Some("1:abc-5"), None, &|| 0.0)
        .expect_err("a bad region");
    assert!(
        matches!(rejection, FilterRejection::Regions { .. }),
        "{rejection:?}"
    );
    assert_eq!(s.passing(), 3, "the previous filter stays in force");

    // Nothing at all clears the filter.
    let report = s
        .filter(" ", Mode::Include, Some(""), None, &|| 0.0)
        .unwrap();
    assert_eq!((report.passing, report.clauses.len()), (8, 0));
}

#[wasm_bindgen_test]
fn annotation_clauses_and_table_columns() {
    let mut s = session();
    assert_eq!(s.annotation_tag(), Some("CSQ"));
    let schema = s.schema();
    assert!(schema.has_subfield("CSQ", "IMPACT"));
    assert_eq!(schema.filters, ["PASS", "LowQual"]);
    assert_eq!(schema.samples, ["mother", "child"]);
    assert!(schema.info_field("gnomAD_AF").is_some());
    // Records 200, 400 and 3000 have a HIGH-impact transcript.
    let report = include(&mut s, r#"CSQ/IMPACT="HIGH""#);
    assert_eq!(report.passing, 3);
    let page = s.rows(0, 50, SortKey::Position, false);
    assert_eq!(page.total, 3);
    let positions: Vec<u64> = page.rows.iter().map(|r| r.pos).collect();
    assert_eq!(positions, [200, 400, 3000]);
    let genes: Vec<Option<String>> = page
        .annotations
        .iter()
        .map(|a| a.as_ref().and_then(|a| a.gene.clone()))
        .collect();
    assert_eq!(
        genes,
        [
            Some("GENE1".into()),
            Some("GENE2".into()),
            Some("GENE5".into())
        ]
    );
    let consequence = page.annotations[1]
        .as_ref()
        .and_then(|a| a.consequence.clone());
    assert_eq!(consequence.as_deref(), Some("splice_donor_variant"));
}

#[wasm_bindgen_test]
fn pages_and_sorts_cover_the_passing_records_only() {
    let mut s = session();
    include(&mut s, "QUAL>=40");
    let by_qual = s.rows(0, 2, SortKey::Qual, true);
    assert_eq!(by_qual.total, 5);
    let quals: Vec<Option<f64>> = by_qual.rows.iter().map(|r| r.qual).collect();
    assert_eq!(quals, [Some(99.0), Some(80.0)]);
    let rest = s.rows(2, 10, SortKey::Qual, true);
    let quals: Vec<Option<f64>> = rest.rows.iter().map(|r| r.qual).collect();
    assert_eq!(quals, [Some(70.0), Some(50.0), Some(45.0)]);
    // A new filter re-derives the cached order.
    include(&mut s, "QUAL<40");
    let low = s.rows(0, 10, SortKey::Qual, true);
    let quals: Vec<Option<f64>> = low.rows.iter().map(|r| r.qual).collect();
    assert_eq!(quals, [Some(30.0), Some(15.0), Some(12.0)]);
}
