//! The pedigree drawing and the pedigree check panel, rendered in Chromium from real input:
//! the demo PEDs (`static/demo/family.ped`: two families side by side; `trio.ped`: parents of
//! unknown phenotype), a three-generation PED with a missing parent and members not sequenced,
//! and the check of the synthetic family (`testdata/generated/pedigree-check/`) against its
//! wrong PED (a non-paternity, a wrong sex, a wrong sibling) and of the demo trio against its
//! own. What a user sees is asserted through the elements' `data-*` attributes.

use app::protocol::PedigreeCheckReport;
use app::ui::pedigree_check::PedigreeCheckPanel;
use app::ui::pedigree_drawing::PedigreeDrawing;
use enclave_test_support::{testdata_bytes, testdata_str};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{self, CheckParams, Declared, PedigreeCheck};
use wasm_core::progress::Silent;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const FAMILY_PED: &[u8] = include_bytes!("../../static/demo/family.ped");
const TRIO_PED: &[u8] = include_bytes!("../../static/demo/trio.ped");
const TRIO: &[u8] = include_bytes!("../../static/demo/trio.vcf.gz");
const SYNTHETIC: &[u8] = testdata_bytes!("generated/pedigree-check/synthetic-family.vcf.gz");
const WRONG_PED: &str = testdata_str!("expected/peddy/synthetic-family-wrong-ped/input.ped");

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element on the page to mount into.
fn host() -> Element {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|k| list.item(k).unwrap().unchecked_into())
        .collect()
}

fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

/// The drawn individual with id `id`.
fn individual(root: &Element, id: &str) -> Element {
    root.query_selector(&format!(
        "[data-testid=pedigree-individual][data-id='{id}']"
    ))
    .unwrap()
    .unwrap_or_else(|| panic!("{id} is not drawn"))
}

/// The tag of an individual's symbol: `rect` (male), `circle` (female), `polygon` (unknown).
fn shape(e: &Element) -> String {
    e.query_selector(".pedigree-symbol")
        .unwrap()
        .unwrap()
        .tag_name()
}

fn filled(e: &Element) -> bool {
    let symbol = e.query_selector(".pedigree-symbol").unwrap().unwrap();
    attr(&symbol, "fill") == "currentColor"
}

fn hatched(e: &Element) -> bool {
    e.query_selector(".pedigree-hatch").unwrap().is_some()
}

fn draw(pedigree: Pedigree, sequenced: Vec<String>) -> Element {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <PedigreeDrawing pedigree=pedigree sequenced=sequenced /> }
    });
    handle.forget();
    host
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[wasm_bindgen_test]
fn the_demo_families_are_drawn_side_by_side() {
    let ped = Pedigree::parse(FAMILY_PED).unwrap();
    let sequenced = names(&[
        "FA", "MO", "KID", "SIS", "GPA", "GMA", "MUM", "DAD", "SON", "DAU",
    ]);
    let host = draw(ped, sequenced);
    let drawing = host
        .query_selector("[data-testid=pedigree-drawing]")
        .unwrap()
        .unwrap();
    let families = all(&drawing, "[data-testid=pedigree-family]");
    let ids: Vec<String> = families.iter().map(|f| attr(f, "data-family")).collect();
    assert_eq!(ids, ["quartet", "dominant"]);
    assert_eq!(all(&drawing, "[data-testid=pedigree-individual]").len(), 10);
    // Sex by shape, affected filled, labelled with the id.
    assert_eq!(shape(&individual(&host, "FA")), "rect");
    assert_eq!(shape(&individual(&host, "MO")), "circle");
    assert!(filled(&individual(&host, "KID")) && !filled(&individual(&host, "SIS")));
    assert!(filled(&individual(&host, "GMA")) && filled(&individual(&host, "MUM")));
    assert_eq!(
        individual(&host, "DAU")
            .query_selector(".pedigree-label")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "DAU"
    );
    // Everyone is sequenced; no phenotype is unknown.
    assert!(all(&drawing, ".pedigree-hatch").is_empty());
    assert!(all(&drawing, ".pedigree-unknown").is_empty());
    // Generations: the quartet in two rows, the dominant family in three.
    let generation = |id: &str| attr(&individual(&host, id), "data-generation");
    assert_eq!(
        (generation("FA"), generation("KID")),
        ("0".into(), "1".into())
    );
    assert_eq!(
        (
            generation("GPA"),
            generation("MUM"),
            generation("DAD"),
            generation("SON")
        ),
        ("0".into(), "1".into(), "1".into(), "2".into())
    );
    // One marriage and one sibship line per couple with children; one proband per family,
    // the affected child with parents.
    let lines = |f: &Element, what: &str| all(f, &format!("[data-testid={what}]")).len();
    assert_eq!(
        (
            lines(&families[0], "marriage-line"),
            lines(&families[0], "sibship-line")
        ),
        (1, 1)
    );
    assert_eq!(
        (
            lines(&families[1], "marriage-line"),
            lines(&families[1], "sibship-line")
        ),
        (2, 2)
    );
    let probands: Vec<String> = all(&drawing, "[data-proband=true]")
        .iter()
        .map(|e| attr(e, "data-id"))
        .collect();
    assert_eq!(probands, ["KID", "MUM"]);
    assert_eq!(all(&drawing, "[data-testid=proband-arrow]").len(), 2);
    let sibs = all(&families[0], "[data-testid=sibship-line]");
    assert_eq!(attr(&sibs[0], "data-children"), "KID,SIS");
}

#[wasm_bindgen_test]
fn the_demo_trio_marks_its_parents_phenotype_unknown() {
    let ped = Pedigree::parse(TRIO_PED).unwrap();
    let host = draw(ped, names(&["HG002", "HG003", "HG004"]));
    for id in ["HG003", "HG004"] {
        let e = individual(&host, id);
        assert_eq!(attr(&e, "data-phenotype"), "unknown");
        assert!(
            e.query_selector(".pedigree-unknown").unwrap().is_some(),
            "{id}"
        );
        assert!(!filled(&e));
    }
    let kid = individual(&host, "HG002");
    assert!(filled(&kid) && kid.query_selector(".pedigree-unknown").unwrap().is_none());
    assert_eq!(attr(&kid, "data-proband"), "true");
}

#[wasm_bindgen_test]
fn three_generations_with_a_missing_parent_and_members_not_sequenced() {
    // dad is named only as a parent (implied, not sequenced); half has no father given and
    // sex 0; gpa has a line but no sample.
    let ped = Pedigree::parse(
        b"f\tgpa\t0\t0\t1\t1\nf\tgma\t0\t0\t2\t0\nf\tmom\tgpa\tgma\t2\t2\n\
          f\tkid\tdad\tmom\t1\t2\nf\thalf\t0\tmom\t0\t1\n",
    )
    .unwrap();
    let host = draw(ped, names(&["gma", "mom", "kid", "half"]));
    let generation = |id: &str| attr(&individual(&host, id), "data-generation");
    assert_eq!(
        ["gpa", "gma", "mom", "dad", "kid", "half"].map(generation),
        ["0", "0", "1", "1", "2", "2"].map(String::from)
    );
    assert!(hatched(&individual(&host, "dad")) && hatched(&individual(&host, "gpa")));
    assert!(!hatched(&individual(&host, "mom")) && !hatched(&individual(&host, "kid")));
    assert_eq!(attr(&individual(&host, "dad"), "data-sequenced"), "false");
    assert_eq!(shape(&individual(&host, "half")), "polygon");
    assert_eq!(shape(&individual(&host, "dad")), "rect");
    // The half sibling hangs from the mother alone: a sibship of its own, no marriage line.
    let sibships: Vec<String> = all(&host, "[data-testid=sibship-line]")
        .iter()
        .map(|e| attr(e, "data-children"))
        .collect();
    assert_eq!(sibships, ["mom", "kid", "half"]);
    assert_eq!(all(&host, "[data-testid=marriage-line]").len(), 2);
    // Nobody overlaps anybody in a row.
    let placed: Vec<(String, f64)> = all(&host, "[data-testid=pedigree-individual]")
        .iter()
        .map(|e| {
            (
                attr(e, "data-generation"),
                attr(e, "data-x").parse().unwrap(),
            )
        })
        .collect();
    for (k, a) in placed.iter().enumerate() {
        for b in &placed[k + 1..] {
            assert!(a.0 != b.0 || (a.1 - b.1).abs() >= 1.0, "{a:?} {b:?}");
        }
    }
}

fn check(vcf: &[u8], ped: &[u8]) -> PedigreeCheck {
    let dataset = wasm_core::read_dataset(vcf, Some(vcf.len() as u64), &mut Silent).unwrap();
    let declared = Declared::from_pedigree(&Pedigree::parse(ped).unwrap());
    pedigree_check::check(&dataset, Some(&declared), &CheckParams::default())
}

fn panel(check: PedigreeCheck) -> Element {
    let host = host();
    let report = PedigreeCheckReport { check, parts: 1 };
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <PedigreeCheckPanel report=report /> }
    });
    handle.forget();
    host
}

#[wasm_bindgen_test]
fn the_check_panel_shows_a_wrong_peds_warnings_with_their_numbers() {
    let r = check(SYNTHETIC, WRONG_PED.as_bytes());
    let host = panel(r.clone());
    let root = host
        .query_selector("[data-testid=pedigree-check]")
        .unwrap()
        .unwrap();
    // Sex table: a row per sample; KID2 declared female, predicted male.
    let rows = all(&root, "[data-testid=sex-check] tbody tr");
    assert_eq!(rows.len(), 9);
    let mismatched: Vec<String> = rows
        .iter()
        .filter(|r| attr(r, "data-mismatch") == "true")
        .map(|r| attr(r, "data-sample"))
        .collect();
    assert_eq!(mismatched, ["KID2"]);
    let kid2 = rows
        .iter()
        .find(|r| attr(r, "data-sample") == "KID2")
        .unwrap();
    let cells = all(kid2, "td");
    assert_eq!(
        (attr(&cells[1], "data-value"), attr(&cells[2], "data-value")),
        ("female".into(), "male".into())
    );
    let het_ratio: f64 = attr(&cells[5], "data-value").parse().unwrap();
    assert!(het_ratio < 0.6, "{het_ratio}");
    // The plot: a point per pair, numbers in data attributes, flagged ones as the warnings.
    let plot = root
        .query_selector("[data-testid=relatedness-plot]")
        .unwrap()
        .unwrap();
    let points = all(&plot, "[data-testid=relatedness-point]");
    assert_eq!(points.len(), 36);
    assert_eq!(points.len(), r.pairs.len());
    let point = |a: &str, b: &str| {
        points
            .iter()
            .find(|p| {
                let (x, y) = (attr(p, "data-a"), attr(p, "data-b"));
                (x == a && y == b) || (x == b && y == a)
            })
            .unwrap_or_else(|| panic!("no point {a}-{b}"))
            .clone()
    };
    let dad_kid2 = point("DAD", "KID2");
    assert_eq!(attr(&dad_kid2, "data-flagged"), "true");
    assert_eq!(attr(&dad_kid2, "data-predicted"), "parent-child");
    let pair = r
        .pairs
        .iter()
        .find(|p| r.samples[p.a as usize] == "DAD" && r.samples[p.b as usize] == "KID2")
        .unwrap();
    assert_eq!(attr(&dad_kid2, "data-ibs0"), pair.ibs0.to_string());
    assert_eq!(attr(&dad_kid2, "data-ibs2"), pair.ibs2.to_string());
    assert_eq!(
        attr(&dad_kid2, "data-value"),
        pair.relatedness.unwrap().to_string()
    );
    let title = dad_kid2
        .query_selector("title")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        title.contains("DAD") && title.contains("KID2") && title.contains("flagged"),
        "{title}"
    );
    // Coloured by the PED's relation: the PED's parent–child pairs share a colour, unrelated
    // pairs another.
    assert_eq!(attr(&point("MOM", "KID1"), "data-expected"), "parent-child");
    assert_ne!(
        attr(&point("MOM", "KID1"), "fill"),
        attr(&point("GF", "MOM"), "fill")
    );
    let flagged = points
        .iter()
        .filter(|p| attr(p, "data-flagged") == "true")
        .count();
    assert_eq!(flagged, r.pairs.iter().filter(|p| p.flagged).count());
    assert!(flagged >= 5, "{flagged}");
    // Warnings, one item each, with their numbers, and counted in the heading.
    let warnings = all(&root, "[data-testid=pedigree-check-warning]");
    assert_eq!(warnings.len(), r.warnings.len());
    let counted = root
        .query_selector("[data-name=warnings]")
        .unwrap()
        .unwrap();
    assert_eq!(attr(&counted, "data-value"), r.warnings.len().to_string());
    let kinds: Vec<String> = warnings.iter().map(|w| attr(w, "data-kind")).collect();
    for kind in [
        "sex",
        "not-parent-child",
        "unexpected-parent-child",
        "relatedness",
        "duplicate",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind}: {kinds:?}");
    }
    for w in &warnings {
        assert!(!all(w, ".warning-number[data-value]").is_empty());
    }
    // The pairs as TSV: a header and a line per pair.
    let link = root
        .query_selector("[data-testid=pedigree-pairs-download]")
        .unwrap()
        .unwrap();
    let href = attr(&link, "href");
    let prefix = "data:text/tab-separated-values;charset=utf-8,";
    assert!(href.starts_with(prefix), "{href}");
    let tsv = String::from(js_sys::decode_uri_component(&href[prefix.len()..]).unwrap());
    assert_eq!(tsv.lines().count(), 1 + r.pairs.len());
    assert!(
        tsv.lines()
            .any(|l| l.starts_with("DAD\tKID2\t") && l.ends_with("\ttrue"))
    );
}

#[wasm_bindgen_test]
fn the_demo_trio_agrees_with_its_ped() {
    let r = check(TRIO, TRIO_PED);
    assert!(r.warnings.is_empty());
    let host = panel(r);
    let ok = host
        .query_selector("[data-testid=pedigree-check-warnings]")
        .unwrap()
        .unwrap();
    assert_eq!(attr(&ok, "data-value"), "0");
    let points = all(&host, "[data-testid=relatedness-point]");
    assert_eq!(points.len(), 3);
    let parent_child = points
        .iter()
        .filter(|p| attr(p, "data-expected") == "parent-child")
        .count();
    assert_eq!(parent_child, 2);
    // No chrX in the demo trio: sex unknown, and the notice says why.
    let rows = all(&host, "[data-testid=sex-check] tbody tr");
    assert!(
        rows.iter()
            .all(|r| attr(&all(r, "td")[2], "data-value") == "unknown")
    );
    let notices = host
        .query_selector("[data-testid=pedigree-check-notices]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(notices.contains("chrX"), "{notices}");
}
