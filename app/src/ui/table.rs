//! The variant table: one page of rows at a time, asked of the worker holding the dataset.
//!
//! Columns: CHROM, POS, ID, REF, ALT, QUAL, FILTER, then Gene, Consequence (the most severe)
//! and HGVS when the file has a VEP or SnpEff annotation, the key INFO fields, then per sample
//! its genotype and key FORMAT values. Sortable by position and by QUAL; paged (first, previous,
//! next, last) over the records passing the filter in force. Only the visible page ever crosses
//! the worker boundary: the table asks for it ([`WorkerClient::rows`]) in a [`Latest`] whenever
//! the sort, the page or the selection changes, so a newer page supersedes an older one.
//!
//! With a pedigree, each row has "why?": its explanation ([`Reasons`]) opens in a row of its own
//! spanning the table, directly under the row explained, which is marked selected; one is open
//! at a time and it closes with its ×. A compound het's partner link ([`Family::reach`]) asks
//! the workers where the partner stands in this table's order ([`WorkerClient::locate`]), pages
//! there, scrolls to the partner's row and opens its explanation under it; a partner left out
//! by the filter or modes is marked beside its link instead ([`Family::missing`]).
//!
//! [`WorkerClient::rows`]: crate::worker_client::WorkerClient::rows
//! [`WorkerClient::locate`]: crate::worker_client::WorkerClient::locate

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_core::annotation;
use wasm_core::case::VariantKey;
use wasm_core::store::{Row, SortKey};

use super::case::CaseState;
use super::detail::classify::class_label;
use super::detail::{VariantDetailPanel, focus_row};
use super::family::reasons::Reasons;
use super::family::{Family, role_of, sample_order, try_use_family};
use super::format::{Count, group, qual};
use super::latest::Latest;
use super::selection::use_selection;
use super::state::{LoadedFile, use_client};
use crate::worker_client::{CallError, Page, PageRequest};

/// Rows per page unless the reader picks another size.
pub const DEFAULT_PAGE_ROWS: u32 = 50;
const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

#[component]
pub fn VariantTable(file: Arc<LoadedFile>) -> impl IntoView {
    let client = use_client();
    let locator = client.clone();
    let f = use_selection();
    // With a pedigree: sample columns by role (proband, mother, father, siblings), and "why".
    let family = try_use_family();
    let n_samples = file.loaded.summary.samples.len();
    let order = Memo::new(move |_| match family {
        Some(fam) => fam.info.with(|i| sample_order(i.as_ref(), n_samples)),
        None => (0..n_samples).collect(),
    });
    let with_family = move || family.is_some_and(|fam| fam.info.with(Option::is_some));
    let sort = RwSignal::new((SortKey::Position, false));
    let page_rows = RwSignal::new(DEFAULT_PAGE_ROWS);
    // The first row asked for, and the selection it was asked of: a new selection starts from
    // the first page.
    let at = RwSignal::new((f.revision().get_untracked(), 0u64));
    let request = Memo::new(move |_| {
        let revision = f.revision().get();
        let (of, offset) = at.get();
        let (sort, descending) = sort.get();
        PageRequest {
            offset: if of == revision { offset } else { 0 },
            limit: page_rows.get(),
            sort,
            descending,
        }
    });
    let offset = move || request.with(|r| r.offset);
    let go_to = move |offset: u64| at.set((f.revision().get_untracked(), offset));
    let page = RwSignal::new(None::<Page>);
    let failure = RwSignal::new(None::<String>);
    // Ask for the visible page whenever sort, offset, page size or the selection change; a
    // newer request supersedes an older one.
    let asking = Latest::new();
    Effect::new(move |_| {
        // A new selection is asked for even when its page is the same as the last one's.
        f.revision().track();
        let request = request.get();
        let client = client.clone();
        asking.run(async move {
            match client.rows(request).await {
                Ok(rows) => {
                    failure.set(None);
                    page.set(Some(rows));
                }
                Err(CallError::Dropped) => {}
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    });
    let busy = move || asking.pending();

    // The variant detail: the record open in it (index in file order), opened by a click on a
    // row or Enter on a focused one, closed by Escape. Up / down move the focus between rows
    // (and the open detail with it), paging at the page's edges: `focus_edge` says which row of
    // the next page to focus once it is shown (true: its first).
    let detail_open = RwSignal::new(None::<u64>);
    let focus_edge = RwSignal::new(None::<bool>);
    let case = use_context::<CaseState>();

    // A compound het's partner asked for: find its place in this order, page there, explain it.
    let locating = Latest::new();
    let scroll_to = RwSignal::new(None::<u64>);
    if let Some(fam) = family {
        let client = locator;
        Effect::new(move |_| {
            let Some((record, label)) = fam.reaching.get() else {
                return;
            };
            let (sort, descending) = sort.get_untracked();
            let client = client.clone();
            locating.run(async move {
                match client.locate(record, sort, descending).await {
                    Ok(Some(offset)) => {
                        let n = u64::from(page_rows.get_untracked());
                        go_to(offset / n * n);
                        scroll_to.set(Some(record));
                        fam.explain(record, label);
                    }
                    Ok(None) => fam.missing.set(Some(record)),
                    Err(CallError::Dropped) => {}
                    Err(e) => failure.set(Some(e.to_string())),
                }
                fam.reaching.set(None);
            });
        });
        // Once the partner's page and explanation are shown, bring its row into view.
        Effect::new(move |_| {
            let Some(record) = scroll_to.get() else {
                return;
            };
            let shown = page.with(|p| {
                p.as_ref()
                    .is_some_and(|p| p.rows.iter().any(|r| r.index == record))
            });
            let open = fam
                .explained
                .with(|x| x.as_ref().is_some_and(|x| x.record == record));
            if shown && open {
                scroll_to.set(None);
                request_animation_frame(move || scroll_to_row(record));
            }
        });
    }

    // Records in the table: those passing the filter, as the last page said.
    // In streaming mode nothing is shown until a filter or region is.
    let records = if file.loaded.streaming.is_some() {
        0
    } else {
        file.loaded.summary.records
    };
    let total = Memo::new(move |_| page.with(|p| p.as_ref().map_or(records, |p| p.total)));
    let filtered = move || f.report.with(Option::is_some);

    let last_offset = move || {
        let n = u64::from(page_rows.get());
        total.get().saturating_sub(1) / n * n
    };
    let go = move |to: u64| go_to(to.min(last_offset()));
    let toggle = move |key: SortKey| {
        sort.update(|(k, d)| {
            if *k == key {
                *d = !*d;
            } else {
                *k = key;
                // Best calls first; positions from the start.
                *d = key == SortKey::Qual;
            }
        });
        go_to(0);
    };
    let aria_sort = move |key: SortKey| {
        let (k, d) = sort.get();
        if k != key {
            "none"
        } else if d {
            "descending"
        } else {
            "ascending"
        }
    };
    let arrow = move |key: SortKey| {
        let (k, d) = sort.get();
        if k != key {
            "↕"
        } else if d {
            "↓"
        } else {
            "↑"
        }
    };

    let info_keys = file.loaded.columns.info_keys.clone();
    let samples = file.loaded.summary.samples.clone();
    let format_keys = file.loaded.columns.format_keys.clone();
    let annotated = file.loaded.annotation.is_some();
    let annotation_tag = file.loaded.annotation.clone().unwrap_or_default();
    // CHROM … FILTER, the annotation's three, INFO keys, samples and "why".
    let columns = 7 + if annotated { 3 } else { 0 } + info_keys.len() + samples.len() + 1;
    let range = move || {
        let total = total.get();
        let from = offset();
        let to = (from + u64::from(page_rows.get())).min(total);
        let first = if total == 0 { 0 } else { from + 1 };
        view! {
            "rows " <Count n=first testid="page-first-row" /> "–" <Count n=to testid="page-last-row" /> " of "
            <Count n=total testid="page-total" />
        }
    };
    let at_start = move || offset() == 0;
    let at_end = move || offset() >= last_offset();

    let on_row_key = Callback::new(move |(ev, index): (web_sys::KeyboardEvent, u64)| {
        let key = ev.key();
        match key.as_str() {
            "Enter" => {
                ev.prevent_default();
                detail_open.set(Some(index));
            }
            "Escape" => detail_open.set(None),
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                let down = key == "ArrowDown";
                let rows: Vec<u64> = page.with_untracked(|p| {
                    p.as_ref()
                        .map(|p| p.rows.iter().map(|r| r.index).collect())
                        .unwrap_or_default()
                });
                let Some(at) = rows.iter().position(|&r| r == index) else {
                    return;
                };
                let next = if down {
                    rows.get(at + 1)
                } else {
                    at.checked_sub(1).and_then(|a| rows.get(a))
                };
                let n = u64::from(page_rows.get_untracked());
                let from = request.get_untracked().offset;
                match next {
                    Some(&record) => {
                        focus_row(record);
                        if detail_open.get_untracked().is_some() {
                            detail_open.set(Some(record));
                        }
                    }
                    None if down && !at_end() => {
                        focus_edge.set(Some(true));
                        go(from + n);
                    }
                    None if !down && from > 0 => {
                        focus_edge.set(Some(false));
                        go(from.saturating_sub(n));
                    }
                    None => {}
                }
            }
            _ => {}
        }
    });
    // A page asked by the keyboard at an edge: focus its first or last row once it is shown.
    Effect::new(move |_| {
        let ends = page.with(|p| {
            p.as_ref().map(|p| {
                (
                    p.rows.first().map(|r| r.index),
                    p.rows.last().map(|r| r.index),
                )
            })
        });
        let Some(first) = focus_edge.get_untracked() else {
            return;
        };
        let Some((Some(head), Some(tail))) = ends else {
            return;
        };
        focus_edge.set(None);
        let record = if first { head } else { tail };
        if detail_open.get_untracked().is_some() {
            detail_open.set(Some(record));
        }
        request_animation_frame(move || focus_row(record));
    });

    view! {
        <section class="panel table-panel" aria-label="Variants">
            <div class="panel-head">
                <h2>"Variants"</h2>
                <div class="pager" role="navigation" aria-label="Pages of variants">
                    <span class="page-range" data-testid="page-range">
                        {range}
                    </span>
                    <button type="button" class="button small" data-testid="page-first" title="First page"
                        prop:disabled=at_start on:click=move |_| go(0)>"« First"</button>
                    <button type="button" class="button small" data-testid="page-prev" title="Previous page"
                        prop:disabled=at_start
                        on:click=move |_| go(request.get_untracked().offset.saturating_sub(u64::from(page_rows.get_untracked())))>
                        "‹ Prev"
                    </button>
                    <button type="button" class="button small" data-testid="page-next" title="Next page"
                        prop:disabled=at_end
                        on:click=move |_| go(request.get_untracked().offset + u64::from(page_rows.get_untracked()))>
                        "Next ›"
                    </button>
                    <button type="button" class="button small" data-testid="page-last" title="Last page"
                        prop:disabled=at_end on:click=move |_| go(last_offset())>"Last »"</button>
                    <label class="page-size">
                        "Rows per page "
                        <select
                            data-testid="page-size"
                            on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                                    let first = request.get_untracked().offset;
                                    page_rows.set(n);
                                    // Keep the first visible row on screen.
                                    go_to(first / u64::from(n) * u64::from(n));
                                }
                            }
                        >
                            {PAGE_SIZES
                                .iter()
                                .map(|&n| {
                                    view! {
                                        <option value=n.to_string() selected=n == DEFAULT_PAGE_ROWS>
                                            {n.to_string()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
            </div>
            {move || failure.get().map(|m| view! { <p class="table-error" role="alert">{m}</p> })}
            <div class="table-scroll" class:busy=move || busy()>
                <table class="variants" data-testid="variant-table" aria-busy=move || busy().to_string()>
                    <thead>
                        <tr>
                            <th scope="col">"CHROM"</th>
                            <th scope="col" class="num-cell" aria-sort=move || aria_sort(SortKey::Position)>
                                <button type="button" class="sort" data-testid="sort-pos"
                                    title="Sort by position" on:click=move |_| toggle(SortKey::Position)>
                                    "POS " <span class="arrow" aria-hidden="true">{move || arrow(SortKey::Position)}</span>
                                </button>
                            </th>
                            <th scope="col">"ID"</th>
                            <th scope="col">"REF"</th>
                            <th scope="col">"ALT"</th>
                            <th scope="col" class="num-cell" aria-sort=move || aria_sort(SortKey::Qual)>
                                <button type="button" class="sort" data-testid="sort-qual"
                                    title="Sort by QUAL" on:click=move |_| toggle(SortKey::Qual)>
                                    "QUAL " <span class="arrow" aria-hidden="true">{move || arrow(SortKey::Qual)}</span>
                                </button>
                            </th>
                            <th scope="col">"FILTER"</th>
                            {annotated.then(|| view! {
                                <th scope="col" class="ann" title=format!("{annotation_tag}: gene of the most severe consequence")>"Gene"</th>
                                <th scope="col" class="ann" title=format!("{annotation_tag}: most severe consequence (Sequence Ontology)")>"Consequence"</th>
                                <th scope="col" class="ann" title=format!("{annotation_tag}: HGVS of that transcript")>"HGVS"</th>
                            })}
                            {info_keys.iter().map(|k| view! { <th scope="col" class="info" title=format!("INFO/{k}")>{k.clone()}</th> }).collect_view()}
                            {move || {
                                let info = family.and_then(|fam| fam.info.get());
                                order
                                    .get()
                                    .into_iter()
                                    .map(|k| {
                                        let s = samples[k].clone();
                                        let role = role_of(info.as_ref(), k);
                                        let title = format!("Sample {s}: GT {}", format_keys.join(" "));
                                        let role_name = role.as_ref().map(|(_, r)| r.name());
                                        view! {
                                            <th scope="col" class="sample" title=title data-testid="sample-column"
                                                data-role=role_name>
                                                {role.map(|(fam, r)| view! { <span class="role">{r.name()} " · " {fam}</span><br /> })}
                                                {s}
                                            </th>
                                        }
                                    })
                                    .collect_view()
                            }}
                            {move || with_family().then(|| view! { <th scope="col" class="why">"why"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {
                            let format_keys = file.loaded.columns.format_keys.clone();
                            move || {
                                let format_keys = format_keys.clone();
                                page.with(|p| {
                                    p.as_ref().map(|p| {
                                        p.rows
                                            .iter()
                                            .enumerate()
                                            .map(|(k, r)| {
                                                let ann = annotated.then(|| p.annotations.get(k).cloned().flatten().unwrap_or_default());
                                                let fam = family.filter(|_| with_family());
                                                (
                                                    row_view(r, ann, &format_keys, &order.get(), fam, RowHooks { detail_open, on_key: on_row_key, case }),
                                                    fam.map(|fam| reasons_row(fam, r.index, columns)),
                                                )
                                            })
                                            .collect_view()
                                    })
                                })
                            }
                        }
                    </tbody>
                </table>
                {move || {
                    (total.get() == 0 && page.with(Option::is_some))
                        .then(|| {
                            let text = if filtered() {
                                "No records pass the filter."
                            } else {
                                "This file has no records."
                            };
                            view! { <p class="muted empty" data-testid="table-empty">{text}</p> }
                        })
                }}
            </div>
        </section>
        <VariantDetailPanel file=file.clone() open=detail_open />
    }
}

/// What a row needs beside its record: the detail it opens, its keyboard handling, the case
/// its marker reads.
#[derive(Clone, Copy)]
struct RowHooks {
    detail_open: RwSignal<Option<u64>>,
    on_key: Callback<(web_sys::KeyboardEvent, u64)>,
    case: Option<CaseState>,
}

/// Whether a click landed on a control inside the row (a button, a link), which does its own
/// work instead of opening the detail.
fn on_control(ev: &web_sys::MouseEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("button, a, input, select, label").ok().flatten())
        .is_some()
}

/// The case's marks for a row's variant: its class and whether it is on the report.
fn case_mark(case: CaseState, key: VariantKey) -> impl IntoView + use<> {
    move || {
        case.variant(&key).map(|v| {
            let class = v.classification.and_then(|c| c.class);
            let short = class.map(|c| match c {
                wasm_core::classification::Class::Pathogenic => "P",
                wasm_core::classification::Class::LikelyPathogenic => "LP",
                wasm_core::classification::Class::Uncertain => "VUS",
                wasm_core::classification::Class::LikelyBenign => "LB",
                wasm_core::classification::Class::Benign => "B",
            });
            let title = [
                class.map(|c| class_label(c).to_string()),
                v.on_report.then(|| "on the report".to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            view! {
                <span class="case-mark" data-testid="case-mark" title=title
                    data-classification=class.map(|c| c.name()) data-report=v.on_report.to_string()>
                    {short.map(|s| view! { <span class=format!("mark-class class-{}", class.map_or("", |c| c.name()))>{s}</span> })}
                    {v.on_report.then(|| view! { <span class="mark-report">"report"</span> })}
                </span>
            }
        })
    }
}

/// The explanation of record `record` in a row of its own spanning the table's `columns`, while
/// it is the one open.
fn reasons_row(family: Family, record: u64, columns: usize) -> impl IntoView + use<> {
    let open = move || {
        family
            .explained
            .with(|x| x.as_ref().is_some_and(|x| x.record == record))
    };
    move || {
        open().then(|| {
            view! {
                <tr class="reasons-row" data-testid="inheritance-reasons-row" data-index=record.to_string()>
                    <td colspan=columns.to_string()>
                        <Reasons />
                    </td>
                </tr>
            }
        })
    }
}

/// Scrolls the table's row of record `record` into view, when it is on the page shown.
fn scroll_to_row(record: u64) {
    let selector = format!("[data-testid=variant-row][data-index=\"{record}\"]");
    if let Some(row) = document().query_selector(&selector).ok().flatten() {
        row.scroll_into_view();
    }
}

/// One record as a table row; the whole INFO column is its tooltip. `ann` is present when the
/// table has annotation columns.
fn row_view(
    row: &Row,
    ann: Option<annotation::Summary>,
    format_keys: &[String],
    order: &[usize],
    family: Option<Family>,
    hooks: RowHooks,
) -> impl IntoView + use<> {
    let qual_text = qual(row.qual);
    let ann = ann.map(|a| {
        let hgvs = [a.hgvs_c.clone(), a.hgvs_p.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let impact = a.impact.clone().unwrap_or_default().to_ascii_lowercase();
        view! {
            <td class="ann gene" data-testid="cell-gene">{a.gene.clone().unwrap_or_default()}</td>
            <td class=format!("ann consequence impact-{impact}") data-testid="cell-consequence"
                title=a.impact.clone().map(|i| format!("impact {i}"))>
                {a.consequence.clone().unwrap_or_default()}
            </td>
            <td class="ann hgvs" title=hgvs.clone()>{hgvs.clone()}</td>
        }
    });
    let index = row.index;
    // The row whose explanation is open below it.
    let selected = move || {
        family.is_some_and(|fam| {
            fam.explained
                .with(|x| x.as_ref().is_some_and(|x| x.record == index))
        })
    };
    let RowHooks {
        detail_open,
        on_key,
        case,
    } = hooks;
    let open = move || detail_open.get() == Some(index);
    let mark = case.map(|case| {
        case_mark(
            case,
            VariantKey {
                chrom: row.chrom.clone(),
                pos: row.pos,
                reference: row.reference.clone(),
                alt: row.alt.clone(),
            },
        )
    });
    view! {
        <tr data-testid="variant-row" data-index=row.index.to_string() title=row.info_text.clone()
            tabindex="0" class:explained=selected class:detail-open=open
            aria-current=move || selected().then_some("true")
            aria-selected=move || open().to_string()
            on:click=move |ev| if !on_control(&ev) { detail_open.set(Some(index)) }
            on:keydown=move |ev| on_key.run((ev, index))>
            <td class="chrom">{row.chrom.clone()} {mark}</td>
            <td class="num-cell" data-value=row.pos.to_string()>{group(row.pos)}</td>
            <td class="id" title=row.id.clone()>{row.id.clone()}</td>
            <td class="allele" title=row.reference.clone()>{row.reference.clone()}</td>
            <td class="allele" title=row.alt.clone()>{row.alt.clone()}</td>
            <td class="num-cell" data-testid="qual" data-value=row.qual.map(|_| qual_text.clone())>{qual_text.clone()}</td>
            <td class="filter" class:pass=row.filter == "PASS">{row.filter.clone()}</td>
            {ann}
            {row
                .info
                .iter()
                .map(|v| view! { <td class="info">{v.clone().unwrap_or_else(|| ".".into())}</td> })
                .collect_view()}
            {order
                .iter()
                .filter_map(|&k| row.samples.get(k))
                .map(|cell| {
                    let values: Vec<String> = format_keys
                        .iter()
                        .zip(&cell.values)
                        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                        .collect();
                    view! {
                        <td class="sample">
                            <span class=format!("gt {}", zygosity(&cell.gt))>{cell.gt.clone()}</span>
                            " "
                            <span class="fmt">{values.join(" ")}</span>
                        </td>
                    }
                })
                .collect_view()}
            {family.map(|fam| {
                let (index, label) = (row.index, format!("{}:{} {}>{}", row.chrom, group(row.pos), row.reference, row.alt));
                view! {
                    <td class="why">
                        <button type="button" class="button small" data-testid="inheritance-why"
                            title="Why this record fits each inheritance mode, or why not"
                            aria-expanded=move || selected().to_string()
                            on:click=move |_| fam.explain(index, label.clone())>"why?"</button>
                    </td>
                }
            })}
        </tr>
    }
}

/// A CSS class for a genotype's zygosity.
fn zygosity(gt: &str) -> &'static str {
    let alleles: Vec<&str> = gt.split(['/', '|']).collect();
    if alleles.iter().all(|a| *a == ".") {
        "missing"
    } else if alleles.iter().all(|a| *a == "0") {
        "hom-ref"
    } else if alleles.windows(2).all(|w| w[0] == w[1]) {
        "hom-alt"
    } else {
        "het"
    }
}

#[cfg(test)]
mod tests {
    use super::zygosity;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn zygosity_of_calls() {
        assert_eq!(zygosity("0/0"), "hom-ref");
        assert_eq!(zygosity("0|1"), "het");
        assert_eq!(zygosity("1/1"), "hom-alt");
        assert_eq!(zygosity("./."), "missing");
        assert_eq!(zygosity("1/2"), "het");
        assert_eq!(zygosity("1"), "hom-alt");
    }
}
