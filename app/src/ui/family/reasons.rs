//! "Why / why not" for one row: per mode and family, "fits", "possible" or the reasons it does
//! not (each naming the sample and the value, `KID GQ 5 < 20`), remarks, the Mendel error's
//! class, and a compound het's partners as links (`CHROM:POS REF>ALT (verdict)`) that page the
//! table to the partner and explain it in turn; a partner the filter or modes in force leave
//! out of the table says so beside its link. The table shows [`Reasons`] in a row of its own
//! under the row it explains ([`super::super::table`]); the variant detail shows its record's
//! explanations with [`ExplanationList`].

use leptos::prelude::*;
use wasm_core::inheritance::{Explanation, Reason};

use super::use_family;
use crate::ui::format::group;

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
                    // The table's heading for a row: `CHROM:POS REF>ALT`.
                    let label = format!("{}:{} {}>{}", p.chrom, group(p.pos), p.reference, p.alternate);
                    let shown = label.clone();
                    let missing = move || family.missing.get() == Some(record);
                    view! {
                        <button type="button" class="link" data-testid="comp-het-partner"
                            data-record=record.to_string() data-verdict=p.verdict.name()
                            title="Show this partner in the table and explain it"
                            on:click=move |_| family.reach(record, label.clone())>
                            {shown} " (" {p.verdict.name()} ")"
                        </button>
                        {move || missing().then(|| view! {
                            <span class="partner-missing muted small" data-testid="comp-het-partner-missing"
                                data-record=record.to_string() role="status">
                                " not in the table: the filter or modes in force leave it out"
                            </span>
                        })}
                        " "
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

/// A record's explanations as a list, as [`Reasons`] shows them (the variant detail shows
/// its record's under the modes in force with it).
#[component]
pub fn ExplanationList(explanations: Vec<Explanation>) -> impl IntoView {
    view! { <ul>{explanations.iter().map(explanation_view).collect_view()}</ul> }
}

/// The explanation open ([`super::Family::explained`]), with a button that closes it.
#[component]
pub fn Reasons() -> impl IntoView {
    let family = use_family();
    move || {
        family.explained.get().map(|x| {
            view! {
                <div class="inheritance-reasons" data-testid="inheritance-reasons" data-record=x.record.to_string()>
                    <h3>"Why / why not: " {x.label.clone()}
                        <button type="button" class="dismiss" aria-label="Close"
                            data-testid="inheritance-reasons-close"
                            on:click=move |_| family.close()>"×"</button>
                    </h3>
                    <ExplanationList explanations=x.explanations.clone() />
                </div>
            }
        })
    }
}
