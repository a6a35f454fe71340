//! The filter panel: an expression box (bcftools `-i`/`-e` syntax), include/exclude, the count
//! that passes, a caret under what is wrong, the applied expression's warnings (a bare `DB`
//! selects nothing, as in bcftools) and how many records each clause removed.
//!
//! The panel edits the page's [`Selection`] (its expression `draft`, mode, gene and region lists)
//! and applies it ([`Selection::apply`]): to the workers holding the file, never to the server
//! (it can name samples). A rejected filter leaves the previous result in force and on screen.
//!
//! Components: [`FilterPanel`] (with props: the shown file), [`FilterProblem`] (the caret view),
//! [`FilterWarnings`], [`RemovedBy`]; sub-modules [`builder`] (form controls that edit the same
//! expression), [`clauses`] (the expression as the builder sees it), [`presets`] (shipped and
//! saved presets).

pub mod builder;
pub mod clauses;
pub mod presets;

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_core::filter::{FilterError, Mode};
use web_sys::HtmlInputElement;

use super::format::{duration, group};
use super::selection::{Problem, Selection, use_selection};
use super::state::LoadedFile;
use crate::protocol::{ClauseSource, FilterRejection};

/// Largest gene or region list read from a file.
const MAX_LIST_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

const HELP: &str = "bcftools expression syntax: QUAL>=30, FILTER=\"PASS\", FMT/GQ>=20, GT[0]=\"het\", \
    CSQ/IMPACT=\"HIGH\", joined with && and ||. Enter applies; Shift+Enter starts a new line. \
    The expression stays in this browser.";

#[component]
pub fn FilterPanel(file: Arc<LoadedFile>) -> impl IntoView {
    let f = use_selection();
    let total = file.loaded.summary.records;
    let streaming = file.loaded.streaming.is_some();
    let schema = file.loaded.schema.clone();
    let lists_open = !f.genes.get_untracked().is_empty() || !f.regions.get_untracked().is_empty();
    let set_mode = move |mode: Mode| {
        if f.mode.get_untracked() != mode {
            f.mode.set(mode);
            if !f.draft.get_untracked().trim().is_empty() {
                f.apply();
            }
        }
    };
    let clear = move |_| {
        f.draft.set(String::new());
        f.regions.set(String::new());
        f.genes.set(String::new());
        f.apply();
    };
    let include = move || f.mode.get() == Mode::Include;

    view! {
        <section class="panel filter-panel" aria-label="Filter">
            <div class="panel-head">
                <h2>"Filter"</h2>
                <FilterStatus total=total streaming=streaming />
            </div>
            <presets::Presets schema=schema.clone() />
            <div class="expression-row">
                <label class="visually-hidden" for="filter-expression">
                    "Filter expression, in bcftools -i/-e syntax"
                </label>
                <textarea
                    id="filter-expression"
                    class="expression"
                    data-testid="filter-expression"
                    rows="2"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder=r#"e.g. FILTER="PASS" && QUAL>=30 && FMT/GQ>=20"#
                    prop:value=move || f.draft.get()
                    on:input=move |ev| f.draft.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() {
                            ev.prevent_default();
                            f.apply();
                        }
                    }
                ></textarea>
                <div class="expression-actions">
                    <div class="mode-toggle" role="group" aria-label="What the expression selects">
                        <button type="button" data-testid="filter-mode-include"
                            aria-pressed=move || include().to_string()
                            title="Keep the records the expression matches (bcftools -i)"
                            on:click=move |_| set_mode(Mode::Include)>"Keep matching"</button>
                        <button type="button" data-testid="filter-mode-exclude"
                            aria-pressed=move || (!include()).to_string()
                            title="Remove the records the expression matches (bcftools -e)"
                            on:click=move |_| set_mode(Mode::Exclude)>"Remove matching"</button>
                    </div>
                    <button type="button" class="button primary" data-testid="filter-apply"
                        on:click=move |_| f.apply()>"Apply"</button>
                    <button type="button" class="button" data-testid="filter-clear" on:click=clear>"Clear"</button>
                </div>
            </div>
            <p class="expression-help muted small">
                {HELP}
                <Unapplied />
            </p>
            <FilterProblem />
            <FilterWarnings />
            <div class="filter-grid">
                <builder::Builder schema=schema />
                <div class="filter-side">
                    <RemovedBy />
                    <details class="lists" open=lists_open>
                        <summary>"Gene list and regions"</summary>
                        <ListInputs />
                    </details>
                </div>
            </div>
        </section>
    }
}

/// "N of M variants", the filter's time, and "filtering…" while a slow one runs.
#[component]
fn FilterStatus(total: u64, streaming: bool) -> impl IntoView {
    let f = use_selection();
    move || {
        let pending = f.slow();
        f.report.with(|r| {
            let passing = r
                .as_ref()
                .map_or(if streaming { 0 } else { total }, |r| r.passing);
            let millis = r.as_ref().map(|r| r.millis);
            // Streaming mode: the records shown are those of the last scan or region, if any.
            let text = match r {
                None if streaming => "No filter applied (streaming mode).".to_string(),
                Some(r) if streaming => {
                    format!("{} of {} variants scanned", group(passing), group(r.total))
                }
                _ => format!("{} of {} variants", group(passing), group(total)),
            };
            view! {
                <p class="filtered">
                    <span class="num big-count" data-testid="filtered-count" data-value=passing.to_string()>
                        {text}
                    </span>
                    {millis.map(|ms| view! {
                        <span class="muted small" data-testid="filter-time" data-value=format!("{ms:.2}")>
                            {format!(" · filtered in {}", duration(ms))}
                        </span>
                    })}
                    {pending.then(|| view! { <span class="muted small">" · filtering…"</span> })}
                </p>
            }
        })
    }
}

/// "Not applied yet" while the box holds something other than the filter in force.
#[component]
fn Unapplied() -> impl IntoView {
    let f = use_selection();
    move || {
        let applied = f
            .report
            .with(|r| r.as_ref().map(|r| (r.expression.clone(), r.mode)));
        let (expression, mode) = applied.unwrap_or_default();
        let differs = f.draft.with(|d| d.trim() != expression.trim())
            || (!expression.trim().is_empty() && f.mode.get() != mode);
        differs.then(|| view! { <span class="unapplied">" Not applied yet."</span> })
    }
}

/// The gene and region lists: typed (applied when the box is left) or read from a file.
#[component]
fn ListInputs() -> impl IntoView {
    let f = use_selection();
    // A problem reading a list file.
    let reading = RwSignal::new(None::<String>);
    let from_file = move |target: RwSignal<String>| {
        move |ev: leptos::ev::Event| read_list(f, &event_target(&ev), target, reading)
    };
    view! {
        <div class="list-inputs">
            <label class="list">
                <span>"Genes " <span class="muted small">"(symbols; one a line or comma-separated)"</span></span>
                <textarea data-testid="filter-genes" rows="4" spellcheck="false"
                    prop:value=move || f.genes.get()
                    on:input=move |ev| f.genes.set(event_target_value(&ev))
                    on:change=move |_| f.apply()></textarea>
            </label>
            <label class="button small file-button">
                <input type="file" accept=".txt,.tsv,.list,text/plain" data-testid="filter-genes-file"
                    on:change=from_file(f.genes) />
                "Read genes from a file…"
            </label>
            <label class="list">
                <span>"Regions " <span class="muted small">"(chr, chr:start-end a line, or BED)"</span></span>
                <textarea data-testid="filter-regions" rows="4" spellcheck="false"
                    prop:value=move || f.regions.get()
                    on:input=move |ev| f.regions.set(event_target_value(&ev))
                    on:change=move |_| f.apply()></textarea>
            </label>
            <label class="button small file-button">
                <input type="file" accept=".bed,.txt,text/plain" data-testid="filter-regions-file"
                    on:change=from_file(f.regions) />
                "Read regions from a BED file…"
            </label>
            {move || reading.get().map(|m| view! { <p class="preset-problem" role="alert">{m}</p> })}
        </div>
    }
}

/// Reads a gene or region list the reader picked (here, in this page; the text goes to the
/// worker with the filter and no further), then applies the filter.
fn read_list(
    f: Selection,
    picker: &HtmlInputElement,
    target: RwSignal<String>,
    problem: RwSignal<Option<String>>,
) {
    let Some(file) = picker.files().and_then(|l| l.item(0)) else {
        return;
    };
    picker.set_value("");
    if file.size() > MAX_LIST_BYTES {
        problem.set(Some(format!(
            "“{}” is larger than 8 MiB: not a gene or region list?",
            file.name()
        )));
        return;
    }
    problem.set(None);
    leptos::task::spawn_local(async move {
        match JsFuture::from(file.text()).await {
            Ok(text) => {
                target.set(text.as_string().unwrap_or_default());
                f.apply();
            }
            Err(_) => problem.set(Some(format!("Could not read “{}”.", file.name()))),
        }
    });
}

/// The rejected expression with a caret line under the offending part, the message and a hint.
#[component]
fn FilterProblem() -> impl IntoView {
    let f = use_selection();
    move || {
        f.problem.get().map(|problem| {
            let body = match problem {
                Problem::Rejected {
                    expression,
                    rejection: FilterRejection::Expression { error },
                } => expression_error(&expression, &error).into_any(),
                Problem::Rejected {
                    rejection: FilterRejection::Regions { error },
                    ..
                } => view! {
                    <p class="message" data-line=error.line.to_string()>
                        "Region list, line " {error.line} ": " {error.message}
                    </p>
                    <p class="hint">"One region a line: chr1, chr1:100, chr1:100-200, or BED (chr, start, end; tab-separated)."</p>
                }
                .into_any(),
                Problem::Rejected {
                    rejection: FilterRejection::Genes { error },
                    ..
                } => view! {
                    <p class="message" data-line=error.line.to_string()>
                        "Gene list, line " {error.line} ": " {error.message}
                    </p>
                }
                .into_any(),
                Problem::Failed(message) => view! { <p class="message">{message}</p> }.into_any(),
            };
            view! {
                <div class="filter-error" role="alert" data-testid="filter-error">
                    <strong>"Not applied. "</strong>
                    <span class="muted small">"The previous result stays in force."</span>
                    {body}
                </div>
            }
        })
    }
}

/// The applied expression's warnings (`FilterReport::warnings`), each with its caret, message
/// and hint: what compiled but probably does not say what was meant. Shown while that expression
/// is in force (a rejected one leaves it so); the next applied filter's answer replaces them. A
/// status, not an alert: the filter was applied.
#[component]
fn FilterWarnings() -> impl IntoView {
    let f = use_selection();
    move || {
        f.report.with(|report| {
            let report = report.as_ref().filter(|r| !r.warnings.is_empty())?;
            let warnings = report
                .warnings
                .iter()
                .map(|w| expression_error(&report.expression, w))
                .collect_view();
            Some(view! {
                <div class="filter-warning" role="status" data-testid="filter-warning"
                    data-value=report.warnings.len().to_string()>
                    <strong>"Warning: "</strong>
                    <span class="small">"the filter in force probably does not say what was meant."</span>
                    {warnings}
                </div>
            })
        })
    }
}

/// The caret view: `expression`, then `^` under `error.span`; `data-kind` names the error's
/// `FilterErrorKind` for tests.
fn expression_error(expression: &str, error: &FilterError) -> impl IntoView + use<> {
    let (line, column, width) = caret(expression, error.span.start, error.span.end);
    view! {
        <pre
            class="caret-view"
            data-kind=format!("{:?}", error.kind)
            data-span-start=error.span.start.to_string()
            data-span-end=error.span.end.to_string()
        >
            <span class="expr-line">{line}</span>
            "\n"
            <span class="caret-line" data-column=column.to_string()>
                {" ".repeat(column)}
                {"^".repeat(width)}
            </span>
        </pre>
        <p class="message">{error.message.clone()}</p>
        {error.hint.clone().map(|h| view! { <p class="hint">"Hint: " {h}</p> })}
    }
}

/// The expression on one line (line breaks and tabs as spaces, so columns stay put), the
/// caret's column and width in characters, from byte offsets.
fn caret(expression: &str, start: usize, end: usize) -> (String, usize, usize) {
    let line: String = expression
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let start = start.min(expression.len());
    let end = end.clamp(start, expression.len());
    let chars_before = |offset: usize| {
        expression
            .char_indices()
            .take_while(|(i, _)| *i < offset)
            .count()
    };
    let column = chars_before(start);
    let width = (chars_before(end) - column).max(1);
    (line, column, width)
}

/// How many records each clause removed, in order; these add up to the records removed.
#[component]
fn RemovedBy() -> impl IntoView {
    let f = use_selection();
    move || {
        f.report.get().filter(|r| !r.clauses.is_empty()).map(|report| {
            let removed = report.total - report.passing;
            let not_found = report.genes_not_found.clone();
            view! {
                <div class="removed-by" data-testid="removed-by">
                    <h3>"Removed by"</h3>
                    <ol class="clause-list">
                        {report
                            .clauses
                            .into_iter()
                            .map(|c| {
                                let kind = match c.source {
                                    ClauseSource::Expression => "expression",
                                    ClauseSource::Regions => "regions",
                                    ClauseSource::Genes => "genes",
                                    ClauseSource::Inheritance => "inheritance",
                                    ClauseSource::Mode(_) => "mode",
                                };
                                let mode = match c.source {
                                    ClauseSource::Mode(m) => Some(m.name()),
                                    _ => None,
                                };
                                let title = if mode.is_some() {
                                    format!(
                                        "{} records do not fit this mode; on its own it would remove {} of those the clauses above kept (the modes are a union: the line below is what they removed together).",
                                        group(c.failing),
                                        group(c.removed),
                                    )
                                } else {
                                    format!(
                                        "{} records fail this clause on its own; {} of them were not already removed by the clauses above.",
                                        group(c.failing),
                                        group(c.removed),
                                    )
                                };
                                view! {
                                    <li class=format!("clause {kind}") title=title data-mode=mode>
                                        <code class="clause-text">{c.text}</code>
                                        <span class="num removed" data-testid="clause-removed" data-value=c.removed.to_string()
                                            data-failing=c.failing.to_string()>
                                            "−" {group(c.removed)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                    <p class="muted small">
                        <span class="num">{group(removed)}</span> " removed in all."
                    </p>
                    {(!not_found.is_empty())
                        .then(|| {
                            view! {
                                <p class="genes-missing" data-testid="genes-not-found" data-value=not_found.len().to_string()>
                                    "Not in this file's annotations: " {not_found.join(", ")}
                                </p>
                            }
                        })}
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::caret;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn carets_sit_under_the_span() {
        assert_eq!(caret("QUAL>", 5, 5), ("QUAL>".into(), 5, 1));
        assert_eq!(
            caret("QUAL>30 && XX>1", 11, 13),
            ("QUAL>30 && XX>1".into(), 11, 2)
        );
        // Byte offsets after a two-byte character count as one column.
        assert_eq!(caret("INFO/X=\"é\" && Q", 14, 15).1, 13);
        // Line breaks show as spaces.
        assert_eq!(caret("QUAL>1 &&\nDP>", 13, 13).0, "QUAL>1 && DP>");
        // Out-of-range spans are clamped.
        assert_eq!(caret("QUAL", 9, 12), ("QUAL".into(), 4, 1));
    }
}
