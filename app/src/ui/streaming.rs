//! Streaming mode: a file too large for this tab's memory stays in its worker unloaded, and
//! filters scan it. [`StreamingPanel`] says so in plain words (how much memory the file would
//! need, how much the tab can hold) and follows the scan: progress, then how many records were
//! kept of how many scanned. [`scan`] is what applying a filter does in this mode: the
//! expression and region list go to the worker (never to the server), which checks the
//! expression first (an error shows at once, with its caret) and then reads the whole file,
//! keeping only the matching records; the table then pages over those.

use std::sync::Arc;

use leptos::prelude::*;

use super::LoadedFile;
use super::filter::{FilterState, Problem};
use super::format::{bytes, group};
use crate::protocol::{Event, FilterReport};

/// Scans the shown file for the records the filter keeps.
pub fn scan(f: FilterState) {
    if !f.genes.get_untracked().trim().is_empty() {
        f.problem.set(Some(Problem::Failed(
            "In streaming mode a gene list cannot be used: the genes of a file this large are not \
             held. Use a filter on the annotation instead, e.g. CSQ/SYMBOL=\"BRCA1\"."
                .into(),
        )));
        return;
    }
    let expression = f.draft.get_untracked();
    let mode = f.mode.get_untracked();
    let regions = Some(f.regions.get_untracked()).filter(|r| !r.trim().is_empty());
    f.pending.begin();
    f.scan_note.set(progress(0, None));
    f.client()
        .stream(expression.clone(), mode, regions, move |event| {
            match event {
                Event::Progress { done, total, .. } => {
                    f.scan_note.set(progress(done, total));
                    return;
                }
                Event::Loaded {
                    summary, millis, ..
                } => {
                    f.problem.set(None);
                    f.region_note.set(String::new());
                    f.scan_note.set(summary.scanned.map_or_else(String::new, |scanned| {
                        format!(
                            r#"<p><span class="num" data-testid="streaming-kept" data-value="{kept}">{}</span> records kept of <span class="num" data-testid="streaming-scanned" data-value="{scanned}">{}</span> scanned.</p>"#,
                            group(summary.records),
                            group(scanned),
                            kept = summary.records,
                        )
                    }));
                    f.report.set(summary.scanned.map(|scanned| FilterReport {
                        expression: expression.clone(),
                        mode,
                        passing: summary.records,
                        total: scanned,
                        clauses: Vec::new(),
                        millis,
                        genes_not_found: Vec::new(),
                    }));
                    f.generation.update(|g| *g += 1);
                }
                Event::FilterRejected {
                    expression,
                    rejection,
                    ..
                } => {
                    // Nothing was read: what was shown stays, and so does its line.
                    f.problem.set(Some(Problem::Rejected {
                        expression,
                        rejection,
                    }));
                    f.scan_note.update(|n| {
                        if n.contains("stream-progress") {
                            n.clear()
                        }
                    });
                }
                Event::Failed { message, .. } => {
                    // The worker let go of the records shown before.
                    f.problem.set(Some(Problem::Failed(message)));
                    f.scan_note.set(String::new());
                    f.report.set(None);
                    f.generation.update(|g| *g += 1);
                }
                _ => return,
            }
            f.pending.end();
        });
}

/// The scan's progress line.
fn progress(done: u64, total: Option<u64>) -> String {
    format!(
        r#"<p class="muted">Scanning… <progress data-testid="stream-progress" value="{done}"{}></progress> {}{}</p>"#,
        total.map(|t| format!(r#" max="{t}""#)).unwrap_or_default(),
        bytes(done),
        total
            .map(|t| format!(" of {}", bytes(t)))
            .unwrap_or_default(),
    )
}

/// Why the file is not loaded, what to do, the scan in progress and what it kept.
#[component]
pub fn StreamingPanel(file: Arc<LoadedFile>) -> impl IntoView {
    let f = super::use_app_state().filter;
    file.streaming.clone().map(|s| {
        let index = if s.indexed {
            "With an index, region queries read only their part of the file."
        } else {
            "Pick the file's .tbi or .csi index with it, and region queries read only their part of the file."
        };
        let message = format!(
            "<h2>Streaming mode</h2><p>This file would need about {} of memory; this browser tab \
             can hold {}. Enclave switched to streaming mode: enter a filter or a region and it \
             reads the whole file, keeping only the matching records. {index}</p>",
            bytes(s.estimate.bytes),
            bytes(s.budget)
        );
        // One element: the text is static, the scan's line is markup kept by the filter state.
        let html = move || format!("{message}{}", f.scan_note.get());
        view! {
            <section
                class="panel streaming"
                data-testid="streaming-mode"
                data-value=s.estimate.bytes.to_string()
                aria-label="Streaming mode"
                inner_html=html
            ></section>
        }
    })
}
