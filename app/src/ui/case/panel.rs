//! The case panel (`case-panel`): what the case of the shown file holds — how many variants are
//! classified and on the report, the variants with their class and tags, the case's notes —
//! the notice that a kept case was reopened (`case-reopened`) and "start afresh"
//! (`case-start-afresh`).
//!
//! With `?case-hook=1` in the page's address the panel also shows a small form that classifies a
//! variant named `CHROM:POS REF>ALT` and puts it on the report (`case-hook-key`,
//! `case-hook-class`, `case-hook-add`): the e2e tests' way to edit the case through
//! [`CaseState::edit_variant`] where no variant detail is mounted.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::case::VariantKey;
use wasm_core::classification::Class;
use wasm_core::classification::case::Classification;

use super::{CaseState, use_case};
use crate::ui::state::{LoadedFile, query_param};

/// `chr1:123 A>G` as a key.
fn parse_key(text: &str) -> Option<VariantKey> {
    let (place, alleles) = text.trim().split_once(' ')?;
    let (chrom, pos) = place.rsplit_once(':')?;
    let (reference, alt) = alleles.trim().split_once('>')?;
    Some(VariantKey {
        chrom: chrom.to_string(),
        pos: pos.replace(',', "").parse().ok()?,
        reference: reference.to_string(),
        alt: alt.to_string(),
    })
}

#[component]
pub fn CasePanel(file: Arc<LoadedFile>) -> impl IntoView {
    let cases = use_case();
    let counts = Memo::new(move |_| {
        cases
            .case
            .with(|c| c.as_ref().map_or((0, 0), |c| c.counts()))
    });
    let hook = query_param("case-hook")
        .is_some()
        .then(|| view! { <CaseHook cases /> });
    let name = file.name.clone();
    let file = file.clone();
    view! {
        <section class="panel case-panel" data-testid="case-panel" aria-label="Case">
            <h2>"Case"</h2>
            {move || {
                cases.reopened.get().map(|r| {
                    view! {
                        <div class="banner notice" role="status" data-testid="case-reopened"
                            data-classified=r.classified.to_string() data-reported=r.reported.to_string()>
                            <span class="message">
                                {format!(
                                    "The case kept in this browser for {} was reopened: {} variant{} classified, {} on the report; its pedigree, filter and modes are applied again.",
                                    name,
                                    r.classified,
                                    if r.classified == 1 { "" } else { "s" },
                                    r.reported,
                                )}
                            </span>
                            <button type="button" class="button small" data-testid="case-start-afresh"
                                on:click=move |_| cases.start_afresh()>"Start afresh"</button>
                            <button type="button" class="dismiss" aria-label="Dismiss"
                                on:click=move |_| cases.reopened.set(None)>"×"</button>
                        </div>
                    }
                })
            }}
            {move || cases.problem.get().map(|p| view! {
                <p class="banner error" role="alert" data-testid="case-problem">{p}</p>
            })}
            <p class="case-counts">
                <span data-testid="case-classified" data-value=move || counts.get().0.to_string()>
                    {move || counts.get().0}
                </span>
                " classified · "
                <span data-testid="case-reported" data-value=move || counts.get().1.to_string()>
                    {move || counts.get().1}
                </span>
                " on the report · kept in this browser only, never sent"
            </p>
            <ul class="case-variants">
                {move || {
                    cases.case.with(|c| {
                        c.iter()
                            .flat_map(|c| c.variants.iter())
                            .map(|(key, v)| {
                                let class = v
                                    .classification
                                    .as_ref()
                                    .and_then(|c| c.class)
                                    .map(Class::name);
                                let tags: Vec<&str> = v.tags.iter().map(|t| t.name()).collect();
                                view! {
                                    <li data-testid="case-variant" data-key=key.to_string()
                                        data-class=class.unwrap_or("") data-report=v.on_report.to_string()>
                                        {key.to_string()} " "
                                        {class.map(|c| view! { <span class="case-class">{c}</span> })}
                                        {v.on_report.then(|| view! { <span class="case-tag">" on the report"</span> })}
                                        {(!tags.is_empty()).then(|| format!(" [{}]", tags.join(", ")))}
                                    </li>
                                }
                            })
                            .collect_view()
                    })
                }}
            </ul>
            <label class="case-notes">
                "Notes "
                <textarea data-testid="case-notes" rows="2"
                    prop:value=move || cases.case.with(|c| c.as_ref().map(|c| c.notes.clone()).unwrap_or_default())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        cases.edit(|c| c.notes = text);
                    }></textarea>
            </label>
            <button type="button" class="button small" data-testid="case-clear"
                title="Drop the classifications, tags, report list and notes of this file's case"
                on:click=move |_| cases.start_afresh()>"Start afresh"</button>
            <super::transfer::CaseTransfer file=file />
            {hook}
        </section>
    }
}

/// The e2e tests' hook (see the module's notes).
#[component]
fn CaseHook(cases: CaseState) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let class = RwSignal::new("likely-pathogenic".to_string());
    view! {
        <div class="case-hook">
            <input type="text" data-testid="case-hook-key" placeholder="chr1:123 A>G"
                on:input=move |ev| key.set(event_target_value(&ev)) prop:value=key />
            <select data-testid="case-hook-class" on:change=move |ev| class.set(event_target_value(&ev))>
                {Class::ALL.iter().map(|c| view! { <option value=c.name() selected=c.name() == "likely-pathogenic">{c.name()}</option> }).collect_view()}
            </select>
            <button type="button" data-testid="case-hook-add" on:click=move |_| {
                let (Some(k), Some(c)) = (parse_key(&key.get_untracked()), Class::from_name(&class.get_untracked())) else {
                    return;
                };
                cases.edit_variant(&k, |v| {
                    let mut chosen = Classification::from_prefills(Vec::new());
                    chosen.set_class(c);
                    v.classification = Some(chosen);
                    v.on_report = true;
                });
            }>"add"</button>
        </div>
    }
}
