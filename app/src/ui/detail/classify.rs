//! Classification in the variant detail: the `classification` select (set directly), the
//! ACMG/AMP criteria grid (the 28 criteria of Richards et al. 2015 with the strengths ClinGen
//! SVI allows each, `acmg-CODE`) whose combined class by the ClinGen points scheme is shown with
//! its points and the 2015 rules' answer beside it, the pre-fills the worker computed for the
//! record (each marked `data-prefill`, its evidence — field and value — shown, the criterion's
//! note editable), "use the grid's class", free-text evidence, tags (candidate, confirmation
//! requested, excluded with a reason) and `add-to-report`.
//!
//! Everything is kept in the case ([`CaseState::edit_variant`]) under the variant's
//! [`VariantKey`] (CHROM, POS, REF, ALT as written), so opening the same variant again shows it
//! again. Until the person changes something the grid shows the pre-fills unsaved; the first
//! change stores the grid with them. The engine combines ([`Classification::outcome`]); the page
//! only renders. Nothing here leaves the page.

use leptos::prelude::*;
use wasm_core::case::{Tag, VariantKey};
use wasm_core::classification::{
    Basis, ChosenCriterion, Class, Classification, Criterion, Direction, Prefill, Strength,
};

use crate::ui::case::CaseState;

/// The label a person reads for a class.
pub fn class_label(class: Class) -> &'static str {
    match class {
        Class::Pathogenic => "Pathogenic",
        Class::LikelyPathogenic => "Likely pathogenic",
        Class::Uncertain => "Uncertain significance",
        Class::LikelyBenign => "Likely benign",
        Class::Benign => "Benign",
    }
}

fn strength_label(s: Strength) -> &'static str {
    match s {
        Strength::Supporting => "supporting",
        Strength::Moderate => "moderate",
        Strength::Strong => "strong",
        Strength::VeryStrong => "very strong",
        Strength::StandAlone => "stand-alone",
    }
}

/// Edits one variant's classification in the case. `Copy`: handles only.
#[derive(Clone, Copy)]
struct Editor {
    case: CaseState,
    key: StoredValue<VariantKey>,
    prefills: StoredValue<Vec<Prefill>>,
}

impl Editor {
    /// The classification as kept, or the unsaved pre-filled grid (tracked).
    fn current(self) -> Classification {
        self.key
            .with_value(|k| self.case.variant(k))
            .and_then(|v| v.classification)
            .unwrap_or_else(|| Classification::from_prefills(self.prefills.get_value()))
    }

    /// Changes the classification (starting from the pre-filled grid when none is kept).
    fn edit(self, f: impl FnOnce(&mut Classification)) {
        let prefills = self.prefills.get_value();
        self.key.with_value(|k| {
            self.case.edit_variant(k, |v| {
                f(v.classification
                    .get_or_insert_with(|| Classification::from_prefills(prefills)))
            })
        });
    }

    /// Changes one criterion, adding it (ticked, at its default strength) when the grid has
    /// not got it.
    fn criterion(self, c: Criterion, f: impl FnOnce(&mut ChosenCriterion)) {
        self.edit(|cl| {
            let at = match cl.criteria.iter().position(|x| x.criterion == c) {
                Some(at) => at,
                None => {
                    cl.criteria.push(ChosenCriterion::chosen(c.applied()));
                    cl.criteria.sort_by_key(|x| x.criterion);
                    cl.criteria
                        .iter()
                        .position(|x| x.criterion == c)
                        .unwrap_or(0)
                }
            };
            if let Some(x) = cl.criteria.get_mut(at) {
                f(x);
            }
        });
    }

    fn tags(self, f: impl FnOnce(&mut Vec<Tag>)) {
        self.key
            .with_value(|k| self.case.edit_variant(k, |v| f(&mut v.tags)));
    }
}

/// The classification of the variant `key`, with the pre-fills the worker found for it.
/// `de_novo_note`: which de novo criterion the family analysis could support and why.
#[component]
pub fn Classify(
    case: CaseState,
    key: VariantKey,
    prefills: Vec<Prefill>,
    de_novo_note: String,
) -> impl IntoView {
    let editor = Editor {
        case,
        key: StoredValue::new(key.clone()),
        prefills: StoredValue::new(prefills),
    };
    let kept = move || {
        editor
            .key
            .with_value(|k| case.variant(k))
            .unwrap_or_default()
    };
    let current = Memo::new(move |_| editor.current());
    let class_value = move || {
        kept()
            .classification
            .and_then(|c| c.class)
            .map_or("", Class::name)
    };
    let basis = move || {
        kept().classification.and_then(|c| {
            c.class.map(|_| match c.basis {
                Basis::Direct => "set directly".to_string(),
                Basis::Criteria { scheme } => format!("from the criteria ({scheme:?} scheme)"),
            })
        })
    };
    let outcome = move || {
        current.with(|c| match c.outcome() {
            Ok(o) => {
                let rules = format!(
                    "{} ({})",
                    class_label(o.rules.class),
                    o.rules.rule.label()
                );
                view! {
                    <div class="acmg-outcome" data-testid="acmg-outcome">
                        <span>"Points: "</span>
                        <strong data-testid="acmg-points" data-value=o.points.total.to_string()>
                            {o.points.total.to_string()}
                        </strong>
                        " → "
                        <strong class=format!("class class-{}", o.class.name()) data-testid="acmg-class"
                            data-value=o.class.name()>{class_label(o.class)}</strong>
                        <span class="muted">" (ClinGen points, Tavtigian et al. 2020)"</span>
                        <span class="rules" data-testid="acmg-rules" data-value=o.rules.class.name()>
                            " · 2015 rules: " {rules}
                        </span>
                        {o.schemes_disagree.then(|| view! {
                            <span class="disagree" data-testid="acmg-disagree">" — the two schemes disagree"</span>
                        })}
                    </div>
                }
                .into_any()
            }
            Err(e) => view! {
                <div class="acmg-outcome error" data-testid="acmg-outcome" role="alert">
                    {format!("The criteria cannot be combined: {e}.")}
                </div>
            }
            .into_any(),
        })
    };
    let has_tag = move |name: &'static str| kept().tags.iter().any(|t| t.name() == name);
    let excluded_reason = RwSignal::new(
        editor
            .key
            .with_value(|k| {
                case.case
                    .with_untracked(|c| c.as_ref().and_then(|c| c.variant(k).cloned()))
            })
            .and_then(|v| {
                v.tags.into_iter().find_map(|t| match t {
                    Tag::Excluded { reason } => Some(reason),
                    _ => None,
                })
            })
            .unwrap_or_default(),
    );
    let set_tag = move |tag: Tag, on: bool| {
        editor.tags(|tags| {
            tags.retain(|t| t.name() != tag.name());
            if on {
                tags.push(tag);
            }
        })
    };
    let on_report = move || kept().on_report;
    let evidence = move || current.with(|c| c.evidence.clone());

    let row = move |c: Criterion| {
        let code = c.code();
        let chosen =
            move || current.with(|cl| cl.criteria.iter().find(|x| x.criterion == c).cloned());
        let met = move || chosen().is_some_and(|x| x.met);
        let prefill = move || chosen().and_then(|x| x.prefill);
        let strength = move || chosen().map_or(c.default_strength(), |x| x.strength);
        let changed = move || chosen().is_some_and(|x| x.is_changed());
        let note = move || chosen().map(|x| x.evidence).unwrap_or_default();
        let direction = match c.direction() {
            Direction::Pathogenic => "pathogenic",
            Direction::Benign => "benign",
        };
        view! {
            <tr class=format!("acmg-row {direction}") class:met=met data-testid="acmg-criterion"
                data-criterion=code data-prefill=move || prefill().is_some().then_some("true")>
                <td class="acmg-tick">
                    <label>
                        <input type="checkbox" data-testid=format!("acmg-{code}")
                            data-prefill=move || prefill().is_some().then_some("true")
                            prop:checked=met
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                editor.criterion(c, |x| x.met = on);
                            } />
                        " " <strong>{code}</strong>
                    </label>
                </td>
                <td class="acmg-strength">
                    <select data-testid=format!("acmg-{code}-strength") aria-label=format!("{code} strength")
                        prop:value=move || format!("{:?}", strength())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(&s) = c.allowed_strengths().iter().find(|s| format!("{s:?}") == v) {
                                editor.criterion(c, |x| x.strength = s);
                            }
                        }>
                        {c.allowed_strengths()
                            .iter()
                            .map(|&s| view! {
                                <option value=format!("{s:?}") selected=move || strength() == s>{strength_label(s)}</option>
                            })
                            .collect_view()}
                    </select>
                </td>
                <td class="acmg-text">
                    <span class="description">{c.description()}</span>
                    {move || prefill().map(|p| view! {
                        <div class="prefill" data-testid="acmg-prefill" data-criterion=code>
                            <span class="prefill-mark">{if p.candidate { "pre-filled candidate" } else { "pre-filled" }}</span>
                            {changed().then(|| view! { <span class="prefill-changed">" · changed by you"</span> })}
                            " "
                            {p.evidence.iter().map(|e| view! {
                                <code class="evidence" data-testid="acmg-prefill-evidence" data-field=e.field.clone()>
                                    {format!("{} = {}", e.field, e.value)}
                                </code>
                                " "
                            }).collect_view()}
                            <span class="muted prefill-note">{p.note.clone()}</span>
                        </div>
                    })}
                    {move || (met() || prefill().is_some()).then(|| view! {
                        <input type="text" class="acmg-note" data-testid=format!("acmg-{code}-evidence")
                            placeholder="your evidence for this criterion"
                            prop:value=note
                            on:change=move |ev| {
                                let text = event_target_value(&ev);
                                editor.criterion(c, |x| x.evidence = text);
                            } />
                    })}
                </td>
            </tr>
        }
    };

    view! {
        <section class="detail-classify" data-testid="detail-classification" aria-label="Classification">
            <div class="classify-head">
                <label class="classify-select">
                    "Classification "
                    <select data-testid="classification" prop:value=class_value
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            match Class::from_name(&v) {
                                Some(class) => editor.edit(|c| c.set_class(class)),
                                None => editor.edit(|c| c.class = None),
                            }
                        }>
                        <option value="" selected=move || class_value().is_empty()>"— not classified —"</option>
                        {Class::ALL
                            .into_iter()
                            .map(|c| view! { <option value=c.name() selected=move || class_value() == c.name()>{class_label(c)}</option> })
                            .collect_view()}
                    </select>
                </label>
                {move || basis().map(|b| view! { <span class="muted small" data-testid="classification-basis">{b}</span> })}
                <button type="button" class="button small report-toggle" data-testid="add-to-report"
                    aria-pressed=move || on_report().to_string() data-value=move || on_report().to_string()
                    class:on=on_report
                    on:click=move |_| {
                        let on = !on_report();
                        editor.key.with_value(|k| case.edit_variant(k, |v| v.on_report = on));
                    }>
                    {move || if on_report() { "✓ On the report (remove)" } else { "Add to report" }}
                </button>
            </div>
            <div class="tags" role="group" aria-label="Tags">
                <label><input type="checkbox" data-testid="tag-candidate" prop:checked=move || has_tag("candidate")
                    on:change=move |ev| set_tag(Tag::Candidate, event_target_checked(&ev)) />" candidate"</label>
                <label><input type="checkbox" data-testid="tag-confirmation-requested"
                    prop:checked=move || has_tag("confirmation-requested")
                    on:change=move |ev| set_tag(Tag::ConfirmationRequested, event_target_checked(&ev)) />
                    " confirmation requested"</label>
                <label><input type="checkbox" data-testid="tag-excluded" prop:checked=move || has_tag("excluded")
                    on:change=move |ev| set_tag(Tag::Excluded { reason: excluded_reason.get_untracked() }, event_target_checked(&ev)) />
                    " excluded, because "</label>
                <input type="text" data-testid="tag-excluded-reason" placeholder="reason"
                    prop:value=move || excluded_reason.get()
                    on:change=move |ev| {
                        let reason = event_target_value(&ev);
                        excluded_reason.set(reason.clone());
                        if has_tag("excluded") {
                            set_tag(Tag::Excluded { reason }, true);
                        }
                    } />
            </div>
            <label class="classify-evidence">
                "Evidence (free text)"
                <textarea data-testid="classification-evidence" rows="2" prop:value=evidence
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        editor.edit(|c| c.evidence = text);
                    }></textarea>
            </label>
            <h4>"ACMG/AMP criteria"</h4>
            <div class="acmg-summary">
                {outcome}
                <button type="button" class="button small" data-testid="acmg-use-class"
                    title="Set the classification to the class the ticked criteria give by the points scheme"
                    on:click=move |_| editor.edit(|c| { let _ = c.combine(); })>"Use the grid's class"</button>
            </div>
            <p class="muted small" data-testid="acmg-de-novo-note">{de_novo_note}</p>
            <table class="acmg-grid" data-testid="acmg-grid">
                <thead><tr><th scope="col">"Criterion"</th><th scope="col">"Strength"</th><th scope="col">"Statement, pre-fill and your evidence"</th></tr></thead>
                <tbody>
                    <tr class="acmg-group"><th colspan="3" scope="rowgroup">"Pathogenic"</th></tr>
                    {Criterion::ALL.into_iter().filter(|c| c.direction() == Direction::Pathogenic).map(row).collect_view()}
                    <tr class="acmg-group"><th colspan="3" scope="rowgroup">"Benign"</th></tr>
                    {Criterion::ALL.into_iter().filter(|c| c.direction() == Direction::Benign).map(row).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
