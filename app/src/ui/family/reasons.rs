//! "Why / why not" for one row: per mode and family, "fits", "possible" or the reasons it does
//! not (each naming the sample and the value, `KID GQ 5 < 20`), remarks, the Mendel error's
//! class, and a compound het's partners as links that explain the partner in turn.

use leptos::prelude::*;
use wasm_core::inheritance::{Explanation, Reason};

use super::use_family;

fn reason_view(r: &Reason, note: bool) -> impl IntoView + use<> {
    view! {
        <li class:note=note data-testid=if note { "inheritance-note" } else { "inheritance-reason" }
            data-code=r.code.name() data-sample=r.sample.clone()>
            {r.text.clone()}
        </li>
    }
}

fn explanation_view(e: &Explanation) -> impl IntoView + use<> {
    let family = use_family();
    let allele = (e.allele > 1).then(|| format!(" (allele {})", e.allele));
    let partners = (!e.partners.is_empty()).then(|| {
        view! {
            <p class="partners">"partners: "
                {e.partners.iter().map(|p| {
                    let record = p.record;
                    let label = format!("{}:{}", p.chrom, p.pos);
                    let shown = label.clone();
                    view! {
                        <button type="button" class="link" data-testid="comp-het-partner"
                            data-record=record.to_string() data-verdict=p.verdict.name()
                            on:click=move |_| {
                                family.explain(record, label.clone());
                                scroll_to_row(record);
                            }>
                            {shown} " (" {p.verdict.name()} ")"
                        </button> " "
                    }
                }).collect_view()}
            </p>
        }
    });
    view! {
        <li class=format!("explanation verdict-{}", e.verdict.name()) data-testid="inheritance-explanation"
            data-mode=e.mode.name() data-family=e.family.clone() data-verdict=e.verdict.name()>
            <strong>{e.mode.name()}</strong> " in " {e.family.clone()} {allele} ": "
            <span class="verdict">{e.verdict.name()}</span>
            {e.mendel.map(|m| view! { <span class="mendel">" (" {m.name()} ")"</span> })}
            <ul class="reasons">
                {e.reasons.iter().map(|r| reason_view(r, false)).collect_view()}
                {e.notes.iter().map(|r| reason_view(r, true)).collect_view()}
            </ul>
            {partners}
        </li>
    }
}

/// Scrolls the table's row of record `record` into view, when it is on the page shown.
fn scroll_to_row(record: u64) {
    let selector = format!("[data-testid=variant-row][data-index=\"{record}\"]");
    if let Some(row) = leptos::prelude::document()
        .query_selector(&selector)
        .ok()
        .flatten()
    {
        row.scroll_into_view();
    }
}

#[component]
pub fn Reasons() -> impl IntoView {
    let family = use_family();
    move || {
        family.explained.get().map(|x| {
            view! {
                <div class="inheritance-reasons" data-testid="inheritance-reasons" data-record=x.record.to_string()>
                    <h3>"Why / why not: " {x.label.clone()}
                        <button type="button" class="dismiss" aria-label="Close"
                            on:click=move |_| family.explained.set(None)>"×"</button>
                    </h3>
                    <ul>{x.explanations.iter().map(explanation_view).collect_view()}</ul>
                </div>
            }
        })
    }
}
