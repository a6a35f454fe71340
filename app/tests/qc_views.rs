//! The QC panel's report as a reader sees it, rendered in Chromium from real input: the GIAB
//! trio's statistics (as one worker answers them, with the demo's PED) mounted as
//! [`QcReportView`], its numbers read back through `data-value` and checked against the
//! committed pysam 0.24.1 `bcftools stats` output (`testdata/expected/bcftools-stats/trio.txt`)
//! and bcftools +mendelian's count; then the pedigree check's badges beside the others — the
//! trio against its own PED, and the synthetic family against its wrong PED (a wrong sex, a
//! non-paternity), which must warn and name the samples.

use app::protocol::{Event, StatsScope};
use app::session::Session;
use app::ui::qc::{PedigreeStatus, QcReportView};
use app::worker::stats::answer;
use app::worker_client::QcReport;
use app::worker_client::stats::merge_parts;
use enclave_test_support::{testdata_bytes, testdata_str};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{self, CheckParams, Declared, PedigreeCheck};
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const TRIO: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz");
const EXPECTED_TRIO: &str = include_str!("../../testdata/expected/bcftools-stats/trio.txt");
const PED: &str = include_str!("../../static/demo/trio-affected-kid.ped");
const SYNTHETIC: &[u8] = testdata_bytes!("generated/pedigree-check/synthetic-family.vcf.gz");
const WRONG_PED: &str = testdata_str!("expected/peddy/synthetic-family-wrong-ped/input.ped");

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|k| list.item(k).unwrap().unchecked_into())
        .collect()
}

fn value(root: &Element, testid: &str) -> String {
    attr(&one(root, &format!("[data-testid={testid}]")), "data-value")
}

/// The trio's statistics as one worker holding the file answers them, with `ped`.
fn trio_report(ped: Option<&str>) -> QcReport {
    let dataset = read_dataset(TRIO, Some(TRIO.len() as u64), &mut Silent).unwrap();
    let session = Session::new(dataset);
    let part = match answer(1, &session, StatsScope::Whole, ped) {
        Event::Stats { part, .. } => *part,
        other => panic!("not a Stats answer: {other:?}"),
    };
    merge_parts(StatsScope::Whole, vec![part]).expect("one part")
}

fn check(vcf: &[u8], ped: &str) -> PedigreeCheck {
    let dataset = read_dataset(vcf, Some(vcf.len() as u64), &mut Silent).unwrap();
    let declared = Declared::from_pedigree(&Pedigree::parse(ped.as_bytes()).unwrap());
    pedigree_check::check(&dataset, Some(&declared), &CheckParams::default())
}

fn mount(report: QcReport, pedigree: PedigreeStatus) -> Element {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let report = Arc::new(report);
    let status = RwSignal::new(pedigree);
    leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <QcReportView report=report name="trio.vcf.gz".to_string() pedigree=status /> }
    })
    .forget();
    host
}

/// The fields of the oracle's line starting with `key` and then `id` (`PSC\t0\tHG002…`).
fn oracle(key: &str, id: &str) -> Vec<&'static str> {
    EXPECTED_TRIO
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f[0] == key && f.get(2) == Some(&id))
        .unwrap_or_else(|| panic!("no {key} {id} line in the oracle"))
}

#[wasm_bindgen_test]
fn the_report_shows_bcftools_numbers_plots_and_the_trios() {
    let host = mount(trio_report(Some(PED)), PedigreeStatus::None);
    assert_eq!(value(&host, "qc-status"), "ready");
    // SN and TSTV as bcftools 1.24 prints them.
    let sn = |label: &str| {
        EXPECTED_TRIO
            .lines()
            .find_map(|l| l.strip_prefix(&format!("SN\t0\tnumber of {label}:\t")))
            .unwrap_or_else(|| panic!("no SN {label}"))
            .to_owned()
    };
    assert_eq!(value(&host, "qc-sn-records"), sn("records"));
    assert_eq!(value(&host, "qc-sn-snps"), sn("SNPs"));
    assert_eq!(value(&host, "qc-sn-indels"), sn("indels"));
    let tstv = EXPECTED_TRIO
        .lines()
        .find(|l| l.starts_with("TSTV\t0\t"))
        .unwrap()
        .split('\t')
        .collect::<Vec<_>>();
    assert_eq!(value(&host, "qc-tstv-ts"), tstv[2]);
    assert_eq!(value(&host, "qc-tstv-tv"), tstv[3]);
    // The Ts/Tv badge judges the oracle's ratio: 2.52 is neither a genome's nor an exome's.
    let badge = one(&host, "[data-testid=qc-badge-tstv]");
    let ratio: f64 = attr(&badge, "data-value").parse().unwrap();
    let expected = tstv[2].parse::<f64>().unwrap() / tstv[3].parse::<f64>().unwrap();
    assert!((ratio - expected).abs() < 1e-9, "{ratio} vs {expected}");
    assert_eq!(attr(&badge, "data-state"), "warn");
    assert!(badge.text_content().unwrap().contains("2.0–2.1"));
    // Every plot the file has numbers for, each with its TSV download.
    for id in [
        "substitutions",
        "tstv-qual",
        "indels",
        "af",
        "depth",
        "gq",
        "allele-balance",
        "filters",
        "contigs",
        "samples",
        "trios",
    ] {
        let plot = one(&host, &format!("[data-testid=qc-plot-{id}]"));
        assert!(
            plot.query_selector(&format!("[data-testid=qc-download-{id}]"))
                .unwrap()
                .is_some(),
            "{id} has no TSV download"
        );
    }
    // The per-sample table: PSC's counts per sample (hom-ref, hom-alt, het, ts, tv, indels,
    // singletons, missing), in bcftools' order.
    let rows = all(&host, "[data-testid=qc-samples] tbody tr");
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let sample = one(row, "th").text_content().unwrap();
        let psc = oracle("PSC", &sample);
        let cells: Vec<String> = all(row, "td")
            .iter()
            .map(|c| attr(c, "data-value"))
            .collect();
        // hom-ref, hom-alt, het | het/hom-alt | ts, tv | ts/tv | indels, singletons, missing.
        let shown = [
            &cells[0], &cells[1], &cells[2], &cells[4], &cells[5], &cells[7], &cells[8], &cells[9],
        ];
        let expected = [
            psc[3], psc[4], psc[5], psc[6], psc[7], psc[8], psc[10], psc[13],
        ];
        assert_eq!(shown.map(String::as_str), expected, "{sample}");
    }
    // The trio: bcftools +mendelian's 91 error sites (CLINICAL.md §3), and its badge.
    let trio_rows = all(&host, "[data-testid=qc-trios] tbody tr");
    assert_eq!(trio_rows.len(), 1);
    let cells: Vec<String> = all(&trio_rows[0], "td")
        .iter()
        .map(|c| attr(c, "data-value"))
        .collect();
    // father, mother, called sites, Mendelian errors, …
    assert_eq!(cells[3], "91", "{cells:?}");
    let mendel = one(&host, "[data-testid=qc-badge-mendel]");
    assert!(!attr(&mendel, "data-value").is_empty());
    // No PED check asked: no pedigree badges.
    assert!(
        host.query_selector("[data-testid=qc-badge-sex]")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
fn the_pedigree_checks_badges_stand_beside_the_others() {
    // The trio against its own PED: nobody's relatedness contradicts it.
    let trio = check(TRIO, PED);
    let host = mount(
        trio_report(Some(PED)),
        PedigreeStatus::Ready(Arc::new(trio.clone())),
    );
    let badges = one(&host, ".qc-badges");
    let ids: Vec<String> = all(&badges, ".qc-badge")
        .iter()
        .map(|b| attr(b, "data-testid"))
        .collect();
    assert!(
        ids.ends_with(&["qc-badge-sex".into(), "qc-badge-relatedness".into()]),
        "{ids:?}"
    );
    let related = one(&host, "[data-testid=qc-badge-relatedness]");
    assert_eq!(attr(&related, "data-state"), "ok");
    assert_eq!(attr(&related, "data-value"), "0");
    assert!(
        related.text_content().unwrap().contains(&format!(
            "{n} of {n} pairs fit the PED",
            n = trio.pairs_total
        )),
        "{}",
        related.text_content().unwrap()
    );
    // Chromosomes 1 and 2 only: no sex to judge, and the badge says why.
    let sex = one(&host, "[data-testid=qc-badge-sex]");
    assert_eq!(attr(&sex, "data-state"), "none");
    assert!(sex.text_content().unwrap().contains("no chrX sites"));

    // The synthetic family against its wrong PED: KID2 declared female is male by chrX, DAD is
    // not KID2's father; both badges warn and name who.
    let wrong = check(SYNTHETIC, WRONG_PED);
    let flagged = wrong.pairs.iter().filter(|p| p.flagged).count();
    assert!(flagged >= 5);
    let host = mount(
        trio_report(None),
        PedigreeStatus::Ready(Arc::new(wrong.clone())),
    );
    let sex = one(&host, "[data-testid=qc-badge-sex]");
    assert_eq!(attr(&sex, "data-state"), "warn");
    assert_eq!(attr(&sex, "data-value"), "1");
    assert!(sex.text_content().unwrap().contains("KID2"));
    let related = one(&host, "[data-testid=qc-badge-relatedness]");
    assert_eq!(attr(&related, "data-state"), "warn");
    assert_eq!(attr(&related, "data-value"), flagged.to_string());
    let text = related.text_content().unwrap();
    assert!(
        text.contains("DAD–KID2") || text.contains("KID2–DAD"),
        "{text}"
    );

    // While the check runs, the panel says so; a failed check says why.
    let host = mount(trio_report(None), PedigreeStatus::Checking);
    assert_eq!(value(&host, "qc-pedigree-status"), "checking");
    let host = mount(
        trio_report(None),
        PedigreeStatus::Failed("no file is loaded".into()),
    );
    assert_eq!(value(&host, "qc-pedigree-status"), "failed");
    assert!(
        host.query_selector("[data-testid=qc-badge-sex]")
            .unwrap()
            .is_none()
    );
}
