//! What the table shows, and changing it: the filter, and in streaming mode scans and region
//! reads.
//!
//! [`Selection`] (context: [`provide_selection_context`] / [`use_selection`]) holds the filter
//! being edited (expression `draft`, mode, region and gene lists), the filter in force
//! (`report`), why the last one was not applied (`problem`), and in streaming mode the scan's
//! progress (`scan`) and the region read's outcome (`region`). [`Selection::apply`] sends the
//! filter to the workers holding the file (never to the server: it can name samples) — in
//! streaming mode it scans the file instead — and [`Selection::read_regions`] reads regions
//! through the index. They all run in one [`Latest`]: a newer one aborts the older, so an older
//! answer never lands over a newer one. A rejected filter leaves the previous result in force
//! and on screen. [`Selection::revision`] counts the changes of the shown records: the table
//! asks for its page again when it moves.

use std::time::Duration;

use leptos::prelude::*;
use wasm_core::filter::Mode;

use super::latest::{Latest, delayed};
use crate::protocol::{FilterRejection, FilterReport};
use crate::worker_client::{CallError, FilterArgs, Scanned, WorkerClient};

/// How long a request may take before the page says "filtering…" (people notice a delay from
/// about 100 ms; a re-filter of a loaded genome is answered in a few ms).
pub const SLOW_MS: u64 = 150;

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

/// Streaming mode: the scan in progress, or what the last one kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scan {
    Reading { done: u64, total: Option<u64> },
    Kept { kept: u64, scanned: u64 },
}

/// The region box's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionNote {
    /// Why the box cannot go there.
    Problem(String),
    /// Streaming mode with an index: the records of `regions` are shown, read through the index.
    Read {
        regions: String,
        records: u64,
        bytes_read: u64,
        millis: f64,
    },
}

/// The selection's state. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct Selection {
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
    /// The shown file is in streaming mode: applying scans it.
    pub streaming: RwSignal<bool>,
    pub scan: RwSignal<Option<Scan>>,
    pub region: RwSignal<Option<RegionNote>>,
    revision: RwSignal<u64>,
    task: Latest,
    slow: ReadSignal<bool>,
}

/// Makes the selection available to the components below (inside [`super::App`]).
pub fn provide_selection_context(client: WorkerClient) -> Selection {
    let task = Latest::new();
    let selection = Selection {
        client: StoredValue::new_local(client),
        draft: RwSignal::new(String::new()),
        mode: RwSignal::new(Mode::Include),
        regions: RwSignal::new(String::new()),
        genes: RwSignal::new(String::new()),
        report: RwSignal::new(None),
        problem: RwSignal::new(None),
        streaming: RwSignal::new(false),
        scan: RwSignal::new(None),
        region: RwSignal::new(None),
        revision: RwSignal::new(0),
        task,
        slow: delayed(move || task.pending(), Duration::from_millis(SLOW_MS)),
    };
    provide_context(selection);
    selection
}

/// The selection, inside [`super::App`].
pub fn use_selection() -> Selection {
    use_context().expect("the selection is provided by App")
}

impl Selection {
    /// A new file is shown (in streaming mode or not): it has no filter yet. The expression and
    /// lists stay for reuse.
    pub fn reset(self, streaming: bool) {
        self.task.abort();
        self.report.set(None);
        self.problem.set(None);
        self.streaming.set(streaming);
        self.scan.set(None);
        self.region.set(None);
        self.changed();
    }

    /// Counts the changes of the shown records.
    pub fn revision(self) -> ReadSignal<u64> {
        self.revision.read_only()
    }

    /// Whether a filter, scan or region read has been running for [`SLOW_MS`] (tracked).
    pub fn slow(self) -> bool {
        self.slow.get()
    }

    fn changed(self) {
        self.revision.update(|r| *r += 1);
    }

    /// Shows a report the workers made of the filter in force with something else (the family
    /// panel's modes, [`super::family`]): the filter's line and the table follow it.
    pub fn show(self, report: FilterReport) {
        self.problem.set(None);
        self.report.set(Some(report));
        self.changed();
    }

    fn client(self) -> WorkerClient {
        self.client.get_value()
    }

    /// Applies the expression, mode and lists; in streaming mode, scans the file for them.
    pub fn apply(self) {
        if self.streaming.get_untracked() {
            return self.stream();
        }
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|t| !t.trim().is_empty());
        let filter = FilterArgs {
            expression: self.draft.get_untracked(),
            mode: self.mode.get_untracked(),
            regions: text(self.regions),
            genes: text(self.genes),
        };
        let client = self.client();
        self.task.run(async move {
            match client.filter(filter).await {
                Ok(report) => {
                    self.problem.set(None);
                    self.report.set(Some(report));
                    self.changed();
                }
                Err(e) => self.refused(e),
            }
        });
    }

    /// A filter that was not applied: the previous one stays.
    fn refused(self, error: CallError) {
        self.problem.set(match error {
            CallError::Rejected {
                expression,
                rejection,
            } => Some(Problem::Rejected {
                expression,
                rejection,
            }),
            CallError::Failed { message, .. } => Some(Problem::Failed(message)),
            CallError::Dropped => return,
        });
    }

    /// Streaming mode: the worker checks the expression first (an error shows at once, with its
    /// caret), then reads the whole file keeping the matching records; the table shows those.
    fn stream(self) {
        if !self.genes.get_untracked().trim().is_empty() {
            self.problem.set(Some(Problem::Failed(
                "In streaming mode a gene list cannot be used: the genes of a file this large are \
                 not held. Use a filter on the annotation instead, e.g. CSQ/SYMBOL=\"BRCA1\"."
                    .into(),
            )));
            return;
        }
        let expression = self.draft.get_untracked();
        let mode = self.mode.get_untracked();
        let regions = Some(self.regions.get_untracked()).filter(|r| !r.trim().is_empty());
        let client = self.client();
        self.scan.set(Some(Scan::Reading {
            done: 0,
            total: None,
        }));
        self.task.run(async move {
            let progress = move |done, total| self.scan.set(Some(Scan::Reading { done, total }));
            match client
                .stream(expression.clone(), mode, regions, progress)
                .await
            {
                Ok(Scanned {
                    summary,
                    millis,
                    warnings,
                }) => {
                    self.problem.set(None);
                    self.region.set(None);
                    self.scan.set(summary.scanned.map(|scanned| Scan::Kept {
                        kept: summary.records,
                        scanned,
                    }));
                    self.report.set(summary.scanned.map(|scanned| FilterReport {
                        expression,
                        mode,
                        passing: summary.records,
                        total: scanned,
                        clauses: Vec::new(),
                        millis,
                        genes_not_found: Vec::new(),
                        warnings,
                    }));
                    self.changed();
                }
                Err(e @ CallError::Rejected { .. }) => {
                    // Nothing was read: what was shown stays, and so does its line.
                    if matches!(self.scan.get_untracked(), Some(Scan::Reading { .. })) {
                        self.scan.set(None);
                    }
                    self.refused(e);
                }
                Err(CallError::Failed { message, .. }) => {
                    // The worker let go of the records shown before.
                    self.problem.set(Some(Problem::Failed(message)));
                    self.scan.set(None);
                    self.report.set(None);
                    self.changed();
                }
                Err(CallError::Dropped) => {}
            }
        });
    }

    /// Streaming mode with an index: shows the records of `regions`, read through the index.
    pub fn read_regions(self, regions: String) {
        let client = self.client();
        self.task.run(async move {
            match client.region(regions.clone()).await {
                Ok(Scanned {
                    summary, millis, ..
                }) => {
                    self.scan.set(None);
                    self.report.set(None);
                    self.problem.set(None);
                    self.region.set(Some(RegionNote::Read {
                        regions,
                        records: summary.records,
                        bytes_read: summary.bytes_read,
                        millis,
                    }));
                    self.changed();
                }
                Err(CallError::Rejected {
                    rejection: FilterRejection::Regions { error },
                    ..
                }) => self.say(format!(
                    "Line {}: {}. Write regions as chr1, chr1:100000 or chr1:100000-200000.",
                    error.line, error.message
                )),
                Err(CallError::Dropped) => {}
                Err(e) => self.say(e.to_string()),
            }
        });
    }

    /// Says in the region box why it cannot go there.
    pub fn say(self, problem: String) {
        self.region.set(Some(RegionNote::Problem(problem)));
    }
}
