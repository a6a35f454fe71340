//! The filter panel: an expression box (bcftools `-i`/`-e` syntax), include/exclude, the count
//! that passes, a caret under what is wrong, and how many records each clause removed.
//!
//! [`FilterState`] holds the expression being edited (`draft`), the mode, the region and gene
//! lists, and the last result. [`apply`] sends them to the worker holding the file (never to the
//! server: they can name samples) and records the answer; a rejected filter leaves the previous
//! result in force and on screen. Bumping `generation` tells the table to page over the new
//! set of records.
//!
//! Sub-modules: [`builder`] (form controls that edit the same expression), [`clauses`] (the
//! expression as the builder sees it), [`presets`] (shipped and saved presets).

pub mod builder;
pub mod clauses;
pub mod presets;

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_core::filter::{FilterError, Mode};
use web_sys::HtmlInputElement;

use super::LoadedFile;
use super::format::{duration, group};
use crate::protocol::{ClauseSource, Event, FilterRejection, FilterReport};
use crate::worker_client::WorkerClient;

/// How long a filter may take before the status says "filtering…" (people notice a delay
/// from about 100 ms; most answers come well before).
const SLOW_MS: u64 = 150;

/// Largest gene or region list read from a file.
const MAX_LIST_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// Why the last filter was not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The worker rejected it: what and where.
    Rejected {
        expression: String,
        rejection: FilterRejection,
    },
    /// The worker could not run it.
    Failed(String),
}

/// The filter's state. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct FilterState {
    client: StoredValue<WorkerClient, LocalStorage>,
    /// The expression box's text.
    pub draft: RwSignal<String>,
    pub mode: RwSignal<Mode>,
    /// Region list text (one region a line, or BED).
    pub regions: RwSignal<String>,
    /// Gene symbols.
    pub genes: RwSignal<String>,
    /// The filter in force, once one was applied to the shown file.
    pub report: RwSignal<Option<FilterReport>>,
    pub problem: RwSignal<Option<Problem>>,
    /// Filters, region reads and scans sent and not answered yet.
    pub pending: Pending,
    /// Bumped whenever the set of passing records changes.
    pub generation: RwSignal<u64>,
    /// The shown file is in streaming mode: applying scans it ([`super::streaming::scan`]).
    pub streaming: RwSignal<bool>,
    /// Streaming mode: the scan in progress, or how many records the last one kept (markup,
    /// [`super::streaming::StreamingPanel`]).
    pub scan_note: RwSignal<String>,
    /// The region box's outcome: the region shown in streaming mode, or why it cannot be gone
    /// to (markup, [`super::region::RegionBox`]).
    pub region_note: RwSignal<String>,
}

impl FilterState {
    pub fn new(client: StoredValue<WorkerClient, LocalStorage>) -> Self {
        Self {
            client,
            draft: RwSignal::new(String::new()),
            mode: RwSignal::new(Mode::Include),
            regions: RwSignal::new(String::new()),
            genes: RwSignal::new(String::new()),
            report: RwSignal::new(None),
            problem: RwSignal::new(None),
            pending: Pending::new(),
            generation: RwSignal::new(0),
            streaming: RwSignal::new(false),
            scan_note: RwSignal::new(String::new()),
            region_note: RwSignal::new(String::new()),
        }
    }

    /// A new file is shown (in streaming mode or not): it has no filter yet. The expression and
    /// lists stay for reuse.
    pub fn reset(&self, streaming: bool) {
        self.report.set(None);
        self.problem.set(None);
        self.pending.reset();
        self.streaming.set(streaming);
        self.scan_note.set(String::new());
        self.region_note.set(String::new());
        self.generation.update(|g| *g += 1);
    }

    pub(crate) fn client(&self) -> WorkerClient {
        self.client.get_value()
    }
}

/// Requests sent to the worker and not answered yet, and whether the page says so: only once
/// one has waited [`SLOW_MS`]. A quick answer thus finds the page unchanged since Enter, instead
/// of waiting behind the paint of a busy state it is about to replace (a re-filter of a loaded
/// genome is answered in a few ms).
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    count: RwSignal<u32>,
    slow: RwSignal<bool>,
    /// Bumped by each [`Pending::begin`], so a timer only marks its own request slow.
    started: RwSignal<u64>,
}

impl Pending {
    pub fn new() -> Self {
        Self {
            count: RwSignal::new(0),
            slow: RwSignal::new(false),
            started: RwSignal::new(0),
        }
    }

    /// A request is sent.
    pub fn begin(self) {
        self.count.update_untracked(|n| *n += 1);
        self.started.update_untracked(|t| *t += 1);
        let ticket = self.started.get_untracked();
        set_timeout(
            move || {
                if self.count.get_untracked() > 0 && self.started.get_untracked() == ticket {
                    self.slow.set(true);
                }
            },
            Duration::from_millis(SLOW_MS),
        );
    }

    /// A request is answered (or failed).
    pub fn end(self) {
        self.count.update_untracked(|n| *n = n.saturating_sub(1));
        if self.count.get_untracked() == 0 && self.slow.get_untracked() {
            self.slow.set(false);
        }
    }

    /// Whether the page says "filtering…" (tracked).
    pub fn slow(self) -> bool {
        self.slow.get()
    }

    fn reset(self) {
        self.count.set(0);
        self.slow.set(false);
    }
}

impl Default for Pending {
    fn default() -> Self {
        Self::new()
    }
}

/// Sends the expression, mode and lists to the worker holding the shown file; in streaming mode
/// the worker scans the file for them.
pub fn apply(f: FilterState) {
    if f.streaming.get_untracked() {
        super::streaming::scan(f);
        return;
    }
    let text = |s: RwSignal<String>| {
        let t = s.get_untracked();
        (!t.trim().is_empty()).then_some(t)
    };
    f.pending.begin();
    f.client.get_value().filter(
        f.draft.get_untracked(),
        f.mode.get_untracked(),
        text(f.regions),
        text(f.genes),
        move |event| {
            match event {
                Event::Filtered { report, .. } => {
                    f.problem.set(None);
                    f.report.set(Some(report));
                    f.generation.update(|g| *g += 1);
                }
                Event::FilterRejected {
                    expression,
                    rejection,
                    ..
                } => f.problem.set(Some(Problem::Rejected {
                    expression,
                    rejection,
                })),
                Event::Failed { message, .. } => f.problem.set(Some(Problem::Failed(message))),
                _ => return,
            }
            f.pending.end();
        },
    );
}

#[component]
pub fn FilterPanel(file: Arc<LoadedFile>) -> impl IntoView {
    let f = super::use_app_state().filter;
    let total = file.summary.records;
    let streaming = file.streaming.is_some();
    // A problem reading a list file.
    let reading = RwSignal::new(None::<String>);

    // One listener per event kind for the whole panel: controls say what they are with
    // `data-action` (buttons) or `data-input` (text boxes, file pickers).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let action = target(&ev)
            .and_then(|e| e.closest("[data-action]").ok().flatten())
            .and_then(|e| e.get_attribute("data-action"));
        match action.as_deref() {
            Some("apply") => apply(f),
            Some("clear") => {
                f.draft.set(String::new());
                f.regions.set(String::new());
                f.genes.set(String::new());
                apply(f);
            }
            Some(mode @ ("include" | "exclude")) => {
                let mode = if mode == "include" {
                    Mode::Include
                } else {
                    Mode::Exclude
                };
                if f.mode.get_untracked() != mode {
                    f.mode.set(mode);
                    if !f.draft.get_untracked().trim().is_empty() {
                        apply(f);
                    }
                }
            }
            _ => {}
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        let Some((input, el)) = data_input(&ev) else {
            return;
        };
        let value = || {
            js_sys::Reflect::get(&el, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        match input.as_str() {
            "expression" => f.draft.set(value()),
            "genes" => f.genes.set(value()),
            "regions" => f.regions.set(value()),
            _ => {}
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some((input, el)) = data_input(&ev) else {
            return;
        };
        match input.as_str() {
            "genes" | "regions" => apply(f),
            "genes-file" | "regions-file" => {
                let target = if input == "genes-file" {
                    f.genes
                } else {
                    f.regions
                };
                if let Ok(picker) = el.dyn_into::<HtmlInputElement>() {
                    read_list(f, &picker, target, reading);
                }
            }
            _ => {}
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let is_expression = data_input(&ev).is_some_and(|(input, _)| input == "expression");
        if is_expression && ev.key() == "Enter" && !ev.shift_key() {
            ev.prevent_default();
            apply(f);
        }
    };

    let status = move || {
        let pending = f.pending.slow();
        f.report.with(|r| {
            let passing = r
                .as_ref()
                .map_or(if streaming { 0 } else { total }, |r| r.passing);
            let millis = r.as_ref().map(|r| r.millis);
            // Streaming mode: the records shown are those of the last scan or region, if any.
            let text = match r {
                None if streaming => "No filter applied (streaming mode).".to_string(),
                Some(r) if streaming => format!("{} of {} variants scanned", group(passing), group(r.total)),
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
    };
    let mode_toggle = move || {
        let include = f.mode.get() == Mode::Include;
        view! {
            <div class="mode-toggle" role="group" aria-label="What the expression selects">
                <button type="button" data-testid="filter-mode-include" data-action="include"
                    aria-pressed=include.to_string()
                    title="Keep the records the expression matches (bcftools -i)">"Keep matching"</button>
                <button type="button" data-testid="filter-mode-exclude" data-action="exclude"
                    aria-pressed=(!include).to_string()
                    title="Remove the records the expression matches (bcftools -e)">"Remove matching"</button>
            </div>
        }
    };
    // Whether the box holds something other than the filter in force.
    let unapplied = move || {
        let applied = f
            .report
            .with(|r| r.as_ref().map(|r| (r.expression.clone(), r.mode)));
        let (expression, mode) = applied.unwrap_or_default();
        let differs = f.draft.with(|d| d.trim() != expression.trim())
            || (!expression.trim().is_empty() && f.mode.get() != mode);
        differs.then(|| view! { <span class="unapplied">" Not applied yet."</span> })
    };
    let lists_open = !f.genes.get_untracked().is_empty() || !f.regions.get_untracked().is_empty();

    view! {
        <section
            class="panel filter-panel"
            aria-label="Filter"
            on:click=on_click
            on:input=on_input
            on:change=on_change
            on:keydown=on_keydown
        >
            <div class="panel-head">
                <h2>"Filter"</h2>
                {status}
            </div>
            <presets::Presets filter=f schema=file.schema.clone() />
            <div class="expression-row">
                <label class="visually-hidden" for="filter-expression">
                    "Filter expression, in bcftools -i/-e syntax"
                </label>
                <textarea
                    id="filter-expression"
                    class="expression"
                    data-testid="filter-expression"
                    data-input="expression"
                    rows="2"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder=r#"e.g. FILTER="PASS" && QUAL>=30 && FMT/GQ>=20"#
                    prop:value=move || f.draft.get()
                ></textarea>
                <div class="expression-actions">
                    {mode_toggle}
                    <button type="button" class="button primary" data-testid="filter-apply" data-action="apply">"Apply"</button>
                    <button type="button" class="button" data-testid="filter-clear" data-action="clear">"Clear"</button>
                </div>
            </div>
            <p class="expression-help muted small">
                {HELP}
                {unapplied}
            </p>
            <FilterProblem />
            <div class="filter-grid">
                <builder::Builder filter=f schema=file.schema.clone() />
                <div class="filter-side">
                    <RemovedBy />
                    <details class="lists" open=lists_open>
                        <summary>"Gene list and regions"</summary>
                        <div class="list-inputs">
                            <label class="list">
                                <span>"Genes " <span class="muted small">"(symbols; one a line or comma-separated)"</span></span>
                                <textarea data-testid="filter-genes" data-input="genes" rows="4" spellcheck="false"
                                    prop:value=move || f.genes.get()></textarea>
                            </label>
                            <label class="button small file-button">
                                <input type="file" accept=".txt,.tsv,.list,text/plain" data-testid="filter-genes-file" data-input="genes-file" />
                                "Read genes from a file…"
                            </label>
                            <label class="list">
                                <span>"Regions " <span class="muted small">"(chr, chr:start-end a line, or BED)"</span></span>
                                <textarea data-testid="filter-regions" data-input="regions" rows="4" spellcheck="false"
                                    prop:value=move || f.regions.get()></textarea>
                            </label>
                            <label class="button small file-button">
                                <input type="file" accept=".bed,.txt,text/plain" data-testid="filter-regions-file" data-input="regions-file" />
                                "Read regions from a BED file…"
                            </label>
                            {move || reading.get().map(|m| view! { <p class="preset-problem" role="alert">{m}</p> })}
                        </div>
                    </details>
                </div>
            </div>
        </section>
    }
}

const HELP: &str = "bcftools expression syntax: QUAL>=30, FILTER=\"PASS\", FMT/GQ>=20, GT[0]=\"het\", \
    CSQ/IMPACT=\"HIGH\", joined with && and ||. Enter applies; Shift+Enter starts a new line. \
    The expression stays in this browser.";

/// The element an event happened on.
fn target(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

/// The `data-input` name of the element an event happened on, and the element.
fn data_input(ev: &web_sys::Event) -> Option<(String, web_sys::Element)> {
    let el = target(ev)?;
    Some((el.get_attribute("data-input")?, el))
}

/// Reads a gene or region list the reader picked (here, in this page; the text goes to the
/// worker with the filter and no further), then applies the filter.
fn read_list(
    f: FilterState,
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
    wasm_bindgen_futures::spawn_local(async move {
        match JsFuture::from(file.text()).await {
            Ok(text) => {
                target.set(text.as_string().unwrap_or_default());
                apply(f);
            }
            Err(_) => problem.set(Some(format!("Could not read “{}”.", file.name()))),
        }
    });
}

/// The rejected expression with a caret line under the offending part, the message and a hint.
#[component]
fn FilterProblem() -> impl IntoView {
    let f = super::use_app_state().filter;
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

/// The caret view: `expression`, then `^` under `error.span`.
fn expression_error(expression: &str, error: &FilterError) -> impl IntoView + use<> {
    let (line, column, width) = caret(expression, error.span.start, error.span.end);
    view! {
        <pre
            class="caret-view"
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
    let f = super::use_app_state().filter;
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
                                };
                                let title = format!(
                                    "{} records fail this clause on its own; {} of them were not already removed by the clauses above.",
                                    group(c.failing),
                                    group(c.removed),
                                );
                                view! {
                                    <li class=format!("clause {kind}") title=title>
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
    use super::{Pending, SLOW_MS, caret};
    use leptos::prelude::GetUntracked;
    use wasm_bindgen_test::wasm_bindgen_test;

    // The page's timers need a window: the crate's unit tests run in the browser.
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// Resolves after `ms` milliseconds (the page's timers run meanwhile).
    async fn sleep(ms: u64) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .expect("a window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
                .expect("a timer");
        });
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .expect("the timer fires");
    }

    #[wasm_bindgen_test]
    async fn filtering_is_said_only_when_an_answer_is_slow() {
        let p = Pending::new();
        // A quick answer: nothing is ever said.
        p.begin();
        p.end();
        sleep(SLOW_MS + 60).await;
        assert!(!p.slow.get_untracked());
        // A slow one is said, until the last pending answer comes.
        p.begin();
        sleep(SLOW_MS + 60).await;
        assert!(p.slow.get_untracked());
        p.begin();
        p.end();
        assert!(p.slow.get_untracked(), "one answer is still pending");
        p.end();
        assert!(!p.slow.get_untracked());
        // The timer of an earlier, answered request does not mark a later one slow early.
        p.begin();
        p.end();
        sleep(SLOW_MS / 2).await;
        p.begin();
        sleep(SLOW_MS / 2 + 40).await;
        assert!(
            !p.slow.get_untracked(),
            "the later request is younger than SLOW_MS"
        );
        sleep(SLOW_MS).await;
        assert!(p.slow.get_untracked());
        p.end();
        assert!(!p.slow.get_untracked());
    }

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
