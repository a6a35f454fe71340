//! The variant detail (`variant-detail`): what a clinician reads when opening one record of the
//! table — the variant and its classification ([`classify`]), each sample's call with the
//! family's roles (genotype, AD, DP, GQ, allele balance), the inheritance explanation under the
//! modes in force, every transcript of each annotation field, every INFO field and every FORMAT
//! field with its header declaration, and links to outside databases behind a notice
//! ([`links`]).
//!
//! The record is computed in the worker holding it ([`WorkerClient::detail`]: the engine's
//! `wasm_core::detail` and the classification pre-fills); the explanation is the family
//! analysis' `Explain` ([`WorkerClient::explain`]) shown with the family panel's own view
//! ([`ExplanationList`]). A newer record asked supersedes an older one ([`Latest`]). A record
//! that is gone or a worker that is lost shows its message in the panel.
//!
//! The table opens it ([`VariantDetailPanel`]'s `open`: a record's index in file order); it is a
//! drawer at the page's right, closed with its × or Escape.
//!
//! [`WorkerClient::detail`]: crate::worker_client::WorkerClient::detail
//! [`WorkerClient::explain`]: crate::worker_client::WorkerClient::explain

pub mod classify;
pub mod links;

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::case::VariantKey;
use wasm_core::detail::{RecordDetail, SampleDetail, Transcripts};
use wasm_core::inheritance::{Explanation, Mode};

use self::classify::Classify;
use self::links::ExternalLinks;
use super::case::CaseState;
use super::family::reasons::ExplanationList;
use super::family::{sample_order, try_use_family};
use super::format::{group, qual};
use super::latest::Latest;
use super::state::{LoadedFile, use_client};
use crate::protocol::{PedigreeInfo, VariantDetail};
use crate::worker_client::CallError;

/// What the panel shows for the record asked.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading(u64),
    Ready {
        detail: Box<VariantDetail>,
        /// The explanations under the modes asked (`None`: no pedigree is tied).
        explanations: Option<(Vec<Mode>, Vec<Explanation>)>,
        /// The modes were the ticked ones (else every mode, none being ticked).
        ticked: bool,
    },
    Failed(u64, String),
}

/// The case's key of a record: CHROM, POS, REF, ALT as written.
pub fn variant_key(d: &RecordDetail) -> VariantKey {
    VariantKey {
        chrom: d.chrom.clone(),
        pos: d.pos,
        reference: d.reference.clone(),
        alt: d.alt.clone(),
    }
}

/// The detail of record `open` (its index in file order), while one is open.
#[component]
pub fn VariantDetailPanel(file: Arc<LoadedFile>, open: RwSignal<Option<u64>>) -> impl IntoView {
    let client = use_client();
    let family = try_use_family();
    let case = use_context::<CaseState>();
    // The links notice, acknowledged once for every variant opened in this page.
    let ack = RwSignal::new(false);
    let shown = RwSignal::new(None::<Shown>);
    let asking = Latest::new();
    Effect::new(move |_| {
        let Some(record) = open.get() else {
            asking.abort();
            shown.set(None);
            return;
        };
        // With a pedigree: the explanation under the ticked modes (every mode when none is).
        let pedigree = family.is_some_and(|f| f.info.with(Option::is_some));
        let ticked = family.map(|f| f.modes.get()).unwrap_or_default();
        let client = client.clone();
        shown.set(Some(Shown::Loading(record)));
        asking.run(async move {
            let detail = match client.detail(record, false).await {
                Ok(d) => d,
                Err(CallError::Dropped) => return,
                Err(e) => return shown.set(Some(Shown::Failed(record, e.to_string()))),
            };
            let modes = if ticked.is_empty() {
                Mode::ALL.to_vec()
            } else {
                ticked.clone()
            };
            let explanations = if pedigree {
                match client.explain(record, modes.clone()).await {
                    Ok(x) => Some((modes, x)),
                    Err(CallError::Dropped) => return,
                    Err(e) => return shown.set(Some(Shown::Failed(record, e.to_string()))),
                }
            } else {
                None
            };
            shown.set(Some(Shown::Ready {
                detail: Box::new(detail),
                explanations,
                ticked: !ticked.is_empty(),
            }));
        });
    });
    let close = move || {
        if let Some(record) = open.get_untracked() {
            open.set(None);
            // Back to the row it was opened from, so the keyboard goes on from there.
            request_animation_frame(move || focus_row(record));
        }
    };
    let build = file.loaded.summary.reference_build.clone();
    let info = move || family.and_then(|f| f.info.get());
    view! {
        {move || shown.get().map(|s| {
            let record = match &s {
                Shown::Loading(r) | Shown::Failed(r, _) => *r,
                Shown::Ready { detail, .. } => detail.detail.record,
            };
            let body = match s {
                Shown::Loading(_) => view! {
                    <p class="muted" data-testid="variant-detail-loading" role="status">"Reading the record…"</p>
                }.into_any(),
                Shown::Failed(_, message) => view! {
                    <p class="detail-error" data-testid="variant-detail-error" role="alert">
                        "This variant cannot be shown: " {message}
                    </p>
                }.into_any(),
                Shown::Ready { detail, explanations, ticked } => view! {
                    <DetailBody detail=*detail explanations=explanations ticked=ticked info=info()
                        case=case reference_build=build.clone() ack=ack />
                }.into_any(),
            };
            view! {
                <aside class="detail-panel" data-testid="variant-detail" data-index=record.to_string()
                    aria-label="Variant detail" tabindex="-1"
                    on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); close(); }>
                    <button type="button" class="dismiss detail-close" aria-label="Close the variant detail"
                        data-testid="variant-detail-close" title="Close (Escape)"
                        on:click=move |_| close()>"×"</button>
                    {body}
                </aside>
            }
        })}
    }
}

/// Focuses the table's row of record `record`, when it is on the page shown.
pub fn focus_row(record: u64) {
    use wasm_bindgen::JsCast;
    let selector = format!("[data-testid=variant-row][data-index=\"{record}\"]");
    if let Some(row) = document().query_selector(&selector).ok().flatten()
        && let Ok(row) = row.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = row.focus();
    }
}

/// One record's detail as the panel shows it once the worker answered: `explanations` under
/// the modes named (`ticked`: those are the modes in force, else every mode), `info` the
/// pedigree tied (roles, sex, affection), `case` the case the classification is kept in (none:
/// no classification is offered), `reference_build` the file's build for the links, `ack`
/// whether the links notice was acknowledged.
#[component]
pub fn DetailBody(
    detail: VariantDetail,
    explanations: Option<(Vec<Mode>, Vec<Explanation>)>,
    ticked: bool,
    info: Option<PedigreeInfo>,
    case: Option<CaseState>,
    reference_build: Option<String>,
    ack: RwSignal<bool>,
) -> impl IntoView {
    let build = reference_build;
    let VariantDetail {
        detail: d,
        prefills,
        family,
    } = detail;
    let key = variant_key(&d);
    let de_novo_note = match &family {
        None => "PS2 / PM6: no pedigree is tied, so no de novo evidence is pre-filled.".to_string(),
        Some(f) if f.de_novo.is_empty() => {
            "PS2 / PM6: the family analysis finds no fitting de novo call for this variant."
                .to_string()
        }
        Some(f) if f.parentage_confirmed => {
            "PS2: the family analysis finds a de novo call and parentage counts as confirmed."
                .to_string()
        }
        Some(_) => "PM6, not PS2: the family analysis finds a de novo call, but parentage is not \
                    confirmed here (the detail has no pedigree check result to rely on) — run the \
                    pedigree check and judge maternity and paternity before moving it to PS2."
            .to_string(),
    };
    let alts: Vec<String> = d.alts().into_iter().map(String::from).collect();
    let title = format!("{}:{} {}>{}", d.chrom, group(d.pos), d.reference, d.alt);
    let gene = d.transcripts.first().and_then(|t| {
        let g = t
            .columns
            .iter()
            .position(|c| c == "SYMBOL" || c == "Gene_Name" || c == "gene")?;
        t.rows
            .iter()
            .find(|r| r.most_severe)
            .and_then(|r| r.values.get(g))
            .filter(|v| !v.is_empty())
            .cloned()
    });
    view! {
        <header class="detail-head">
            <h2 data-testid="variant-detail-title">{title}</h2>
            <p class="detail-facts">
                {gene.map(|g| view! { <span class="gene" data-testid="variant-detail-gene">{g}</span> })}
                <span>"ID " <code>{d.id.clone()}</code></span>
                <span>"QUAL " <span data-testid="variant-detail-qual" data-value=d.qual.map(|q| q.to_string())>{qual(d.qual)}</span></span>
                <span>"FILTER " <code class:pass=d.filter == "PASS">{d.filter.clone()}</code></span>
                <span class="muted">{format!("record {} in file order", group(d.record + 1))}</span>
            </p>
        </header>
        {case.map(|case| view! { <Classify case=case key=key.clone() prefills=prefills.clone() de_novo_note=de_novo_note.clone() /> })}
        <section class="detail-section" aria-label="Samples">
            <h3>"Samples"</h3>
            {samples_view(&d, info.as_ref())}
        </section>
        {explanations.map(|(modes, x)| {
            let which = if ticked {
                format!("under the modes in force: {}", modes.iter().map(|m| m.name()).collect::<Vec<_>>().join(", "))
            } else {
                "under every mode (none is ticked)".to_string()
            };
            view! {
                <section class="detail-section inheritance-reasons detail-inheritance" data-testid="detail-inheritance" aria-label="Inheritance">
                    <h3>"Inheritance"</h3>
                    <p class="muted small">{which}</p>
                    <ExplanationList explanations=x />
                </section>
            }
        })}
        {d.transcripts.iter().map(transcripts_view).collect_view()}
        <section class="detail-section" aria-label="INFO fields">
            <h3>"INFO fields"</h3>
            <table class="detail-table" data-testid="detail-info">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Value"</th><th scope="col">"Number"</th><th scope="col">"Type"</th><th scope="col">"Description (header)"</th></tr></thead>
                <tbody>
                    {d.info.iter().map(|v| view! {
                        <tr data-testid="detail-info-field" data-key=v.field.key.clone()>
                            <th scope="row"><code>{v.field.key.clone()}</code></th>
                            <td class="value" data-testid="detail-info-value">
                                <code>{if v.field.ty == "Flag" { "(set)".to_string() } else { v.value.clone() }}</code>
                            </td>
                            <td>{v.field.number.clone()}</td>
                            <td>{v.field.ty.clone()}</td>
                            <td class="description" data-testid="detail-info-description">
                                {if v.field.declared { v.field.description.clone() } else { "(not declared in the header)".to_string() }}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {(!d.format.is_empty()).then(|| format_view(&d))}
        <section class="detail-section" aria-label="External links">
            <h3>"Look it up elsewhere"</h3>
            <ExternalLinks chrom=d.chrom.clone() pos=d.pos reference=d.reference.clone() alts=alts reference_build=build ack=ack />
        </section>
    }
}

/// Each sample's call: role, sex and affection from the pedigree, GT, AD, DP, GQ and the
/// allele balance (AD of the ALT over the total; one per ALT of a multi-allelic record).
fn samples_view(d: &RecordDetail, info: Option<&PedigreeInfo>) -> impl IntoView + use<> {
    let order = sample_order(info, d.samples.len());
    let multi = d.alts().len() > 1;
    let rows = order
        .into_iter()
        .filter_map(|k| d.samples.get(k).map(|s| (k, s)))
        .map(|(k, s)| sample_row(k, s, info, multi))
        .collect_view();
    view! {
        <div class="detail-scroll">
        <table class="detail-table samples" data-testid="detail-samples">
            <thead><tr>
                <th scope="col">"Sample"</th><th scope="col">"Role"</th><th scope="col">"Sex"</th>
                <th scope="col">"Affected"</th><th scope="col">"GT"</th><th scope="col">"AD"</th>
                <th scope="col" class="num-cell">"DP"</th><th scope="col" class="num-cell">"GQ"</th>
                <th scope="col" class="num-cell" title="Allele balance: the ALT's AD over the sample's total AD">"AB"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

fn sample_row(
    k: usize,
    s: &SampleDetail,
    info: Option<&PedigreeInfo>,
    multi: bool,
) -> impl IntoView + use<> {
    let role = info.and_then(|i| i.roles.get(k).cloned().flatten());
    let role_name = role.as_ref().map(|(_, r)| r.name());
    let person = info.and_then(|i| {
        let p = &i.pedigree;
        p.find(&s.name).map(|at| p.individuals()[at].clone())
    });
    let sex = person.as_ref().map(|p| p.sex.name().to_string());
    let affected = person.as_ref().map(|p| p.phenotype.name().to_string());
    let ab: Vec<String> = s
        .allele_balance
        .iter()
        .map(|b| b.map_or(".".to_string(), |b| format!("{b:.2}")))
        .collect();
    let ab_value: Vec<String> = s
        .allele_balance
        .iter()
        .map(|b| b.map_or(".".to_string(), |b| b.to_string()))
        .collect();
    let dash = || "—".to_string();
    view! {
        <tr data-testid="detail-sample" data-sample=s.name.clone()
            data-role=role_name>
            <th scope="row"><code>{s.name.clone()}</code></th>
            <td>{role.map(|(fam, r)| format!("{} · {fam}", r.name())).unwrap_or_else(dash)}</td>
            <td data-testid="detail-sample-sex">{sex.unwrap_or_else(dash)}</td>
            <td data-testid="detail-sample-affected">{affected.unwrap_or_else(dash)}</td>
            <td class="gt" data-testid="detail-sample-gt"><code>{s.genotype.clone()}</code></td>
            <td data-testid="detail-sample-ad"><code>{s.ad.clone().unwrap_or_else(|| ".".into())}</code></td>
            <td class="num-cell" data-testid="detail-sample-dp">{s.dp.clone().unwrap_or_else(|| ".".into())}</td>
            <td class="num-cell" data-testid="detail-sample-gq">{s.gq.clone().unwrap_or_else(|| ".".into())}</td>
            <td class="num-cell" data-testid="detail-sample-ab" data-value=ab_value.join(",")
                title=multi.then_some("one per ALT allele, in ALT order")>
                {if ab.is_empty() { ".".to_string() } else { ab.join(", ") }}
            </td>
        </tr>
    }
}

/// One annotation field's transcripts as a table: MANE / canonical first, the most severe
/// consequence marked.
fn transcripts_view(t: &Transcripts) -> impl IntoView + use<> {
    let columns = t.columns.clone();
    view! {
        <section class="detail-section" aria-label=format!("Transcripts ({})", t.tag)>
            <h3>{format!("Transcripts · INFO/{} · {}", t.tag, t.rows.len())}</h3>
            <p class="muted small">"MANE and canonical transcripts first; ★ marks the most severe consequence."</p>
            <div class="detail-scroll">
                <table class="detail-table transcripts" data-testid="detail-transcripts" data-tag=t.tag.clone()>
                    <thead><tr>
                        <th scope="col"></th>
                        {columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {t.rows.iter().map(|r| {
                            let marks = [
                                r.most_severe.then_some("★"),
                                r.mane.then_some("MANE"),
                                (r.canonical && !r.mane).then_some("canonical"),
                            ].into_iter().flatten().collect::<Vec<_>>().join(" ");
                            view! {
                                <tr data-testid="detail-transcript" class:most-severe=r.most_severe
                                    data-most-severe=r.most_severe.to_string() data-canonical=r.canonical.to_string()
                                    data-mane=r.mane.to_string()>
                                    <td class="marks">{marks}</td>
                                    {r.values.iter().take(columns.len().max(1)).map(|v| view! { <td>{v.clone()}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The FORMAT fields with their declarations and each sample's values.
fn format_view(d: &RecordDetail) -> impl IntoView + use<> {
    let samples: Vec<&SampleDetail> = d.samples.iter().collect();
    view! {
        <section class="detail-section" aria-label="FORMAT fields">
            <h3>"FORMAT fields"</h3>
            <div class="detail-scroll">
                <table class="detail-table" data-testid="detail-format">
                    <thead><tr>
                        <th scope="col">"Field"</th><th scope="col">"Number"</th><th scope="col">"Type"</th>
                        <th scope="col">"Description (header)"</th>
                        {samples.iter().map(|s| view! { <th scope="col"><code>{s.name.clone()}</code></th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {d.format.iter().enumerate().map(|(f, decl)| view! {
                            <tr data-testid="detail-format-field" data-key=decl.key.clone()>
                                <th scope="row"><code>{decl.key.clone()}</code></th>
                                <td>{decl.number.clone()}</td>
                                <td>{decl.ty.clone()}</td>
                                <td class="description">{decl.description.clone()}</td>
                                {samples.iter().map(|s| view! {
                                    <td><code>{s.values.get(f).cloned().flatten().unwrap_or_else(|| ".".into())}</code></td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
