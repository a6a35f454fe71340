//! The variant detail rendered in Chromium from a real record: the demo family's planted de
//! novo stop-gain (`static/demo/family.vcf`, chr2:165980700 A>G in SCN1A; KID 0/1 with AD
//! 15,15) as the worker's session computes it (`Session::detail`, with the demo PED tied), then
//! mounted as the panel shows it (`DetailBody`) with a case: INFO fields with their header
//! descriptions, the transcript marked most severe, the samples in the family's order with
//! their roles and allele balance, the worker's pre-fills in the ACMG/AMP grid with their
//! evidence, the points, and a change in the grid kept in the case under the variant's key.
//! A record the worker does not hold has no detail.

use std::io::Cursor;

use app::session::Session;
use app::ui::case::CaseState;
use app::ui::detail::{DetailBody, variant_key};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::case::Case;
use wasm_core::classification::Criterion;
use wasm_core::inheritance;
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const VCF: &[u8] = include_bytes!("../../static/demo/family.vcf");
const PED: &str = include_str!("../../static/demo/family.ped");

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
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

fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default().trim().to_string()
}

/// The demo family with its PED tied, and the index of the planted stop-gain.
fn family_session() -> (Session, u64, app::protocol::PedigreeInfo) {
    let dataset = read_dataset(Cursor::new(VCF), Some(VCF.len() as u64), &mut Silent).unwrap();
    let record = (0..dataset.store.len())
        .find(|&i| dataset.store.pos(i) == 165_980_700)
        .expect("the planted stop-gain") as u64;
    let mut s = Session::new(dataset);
    let info = s
        .set_pedigree(Some(PED), inheritance::Options::default())
        .expect("the demo PED is valid")
        .expect("a pedigree is tied");
    (s, record, info)
}

#[wasm_bindgen_test]
async fn the_detail_of_the_planted_de_novo_stop_gain() {
    let (session, record, info) = family_session();
    let detail = session.detail(record, false).expect("the worker holds it");
    assert_eq!(detail.detail.record, record);
    // The family analysis' de novo call, parentage unconfirmed: PM6 (not PS2) beside PVS1.
    let prefilled: Vec<Criterion> = detail
        .prefills
        .iter()
        .map(|p| p.applied.criterion)
        .collect();
    assert_eq!(prefilled, [Criterion::PVS1, Criterion::PM6]);
    let confirmed = session.detail(record, true).unwrap();
    assert!(
        confirmed
            .prefills
            .iter()
            .any(|p| p.applied.criterion == Criterion::PS2)
    );
    let key = variant_key(&detail.detail);
    let case = CaseState::holding(Some(Case::new("fingerprint", "family.vcf")));
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let shown = detail.clone();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! {
            <DetailBody detail=shown explanations=None ticked=false info=Some(info) case=Some(case)
                reference_build=Some("GRCh38".to_string()) ack=RwSignal::new(false) />
        }
    });
    handle.forget();

    // INFO with its header description; FORMAT declarations.
    let csq = one(&host, "[data-testid=detail-info-field][data-key=CSQ]");
    assert!(
        text(&one(&csq, "[data-testid=detail-info-description]"))
            .starts_with("Consequence annotations from Ensembl VEP")
    );
    assert!(text(&one(&csq, "[data-testid=detail-info-value]")).contains("stop_gained|HIGH|SCN1A"));
    let formats: Vec<String> = all(&host, "[data-testid=detail-format-field]")
        .iter()
        .map(|e| attr(e, "data-key"))
        .collect();
    assert_eq!(formats, ["AD", "DP", "GQ"]);
    // The transcript, marked most severe.
    let transcripts = all(
        &host,
        "[data-testid=detail-transcripts][data-tag=CSQ] [data-testid=detail-transcript]",
    );
    assert_eq!(transcripts.len(), 1);
    assert_eq!(attr(&transcripts[0], "data-most-severe"), "true");
    // Samples in the family's order with roles, sex and affection, GT, AD and balance.
    let samples = all(&host, "[data-testid=detail-sample]");
    let roles: Vec<String> = samples.iter().map(|e| attr(e, "data-role")).collect();
    assert_eq!(roles[..4], ["proband", "mother", "father", "sibling"]);
    let kid = one(&host, "[data-testid=detail-sample][data-sample=KID]");
    assert_eq!(text(&one(&kid, "[data-testid=detail-sample-gt]")), "0/1");
    assert_eq!(text(&one(&kid, "[data-testid=detail-sample-ad]")), "15,15");
    assert_eq!(
        attr(&one(&kid, "[data-testid=detail-sample-ab]"), "data-value"),
        "0.5"
    );
    assert_eq!(
        text(&one(&kid, "[data-testid=detail-sample-affected]")),
        "affected"
    );
    // The grid: 28 criteria, the two pre-fills ticked and marked with their evidence.
    assert_eq!(all(&host, "[data-testid=acmg-criterion]").len(), 28);
    let pvs1 = one(&host, "[data-testid=acmg-PVS1]");
    assert_eq!(attr(&pvs1, "data-prefill"), "true");
    assert!(pvs1.unchecked_ref::<web_sys::HtmlInputElement>().checked());
    let evidence: Vec<String> = all(
        &host,
        "[data-testid=acmg-prefill][data-criterion=PVS1] [data-testid=acmg-prefill-evidence]",
    )
    .iter()
    .map(text)
    .collect();
    assert!(
        evidence.contains(&"INFO/CSQ:Consequence = stop_gained".to_string()),
        "{evidence:?}"
    );
    assert_eq!(
        attr(&one(&host, "[data-testid=acmg-PM6]"), "data-prefill"),
        "true"
    );
    assert_eq!(
        attr(&one(&host, "[data-testid=acmg-points]"), "data-value"),
        "10"
    );
    // Nothing is kept until the person changes something.
    assert_eq!(case.variant(&key), None);
    // Unticking PM6 keeps the grid in the case under the variant's key; the points follow.
    one(&host, "[data-testid=acmg-PM6]")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    let kept = case.variant(&key).expect("the change is kept");
    let grid = kept.classification.expect("with the grid");
    let pm6 = grid
        .criteria
        .iter()
        .find(|c| c.criterion == Criterion::PM6)
        .unwrap();
    assert!(!pm6.met && pm6.is_changed());
    sleep(20).await;
    assert_eq!(
        attr(&one(&host, "[data-testid=acmg-points]"), "data-value"),
        "8"
    );
    // The links wait for the notice.
    assert!(
        host.query_selector("[data-testid=external-links-notice]")
            .unwrap()
            .is_some()
    );
    assert!(
        host.query_selector("[data-testid=external-link]")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
fn a_record_the_worker_does_not_hold_has_no_detail() {
    let (session, _, _) = family_session();
    assert_eq!(session.detail(292, false), None);
    assert_eq!(session.detail(u64::MAX, false), None);
}
