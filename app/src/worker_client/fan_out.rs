//! Asking the shown file: one worker, or every shard of it, and one answer from theirs.
//!
//! A file held by a pool is in shards, one per worker, in file order ([`Layout`]). [`filter`]
//! and [`rows`] ask the one worker holding the file, or [`fan_out`] to every shard, which posts
//! a request to each and hands their final answers, in shard order, to a merge; the merges
//! themselves are plain functions of [`crate::shards`], tested against one worker holding the
//! whole file:
//!
//! - a filter: every shard filters (each told the fields only other shards have, [`Layout`]'s
//!   `absent`), the reports are summed ([`merge_reports`]); when only some shards reject it,
//!   those that applied it go back to the filter in force, so all shards keep agreeing;
//! - a page of rows: each shard's sort keys first (`Request::Keys`), then [`plan_page`] finds
//!   which of each shard's records fall on the page, then those rows are asked for and
//!   interleaved ([`merge_rows`]). A page no one awaits any more stops after the keys.

use std::cell::RefCell;
use std::rc::Rc;

use super::call::{Answer, CallError, Reply, call};
use super::pool::{Handler, Workers};
use crate::protocol::{AbsentFields, Columns, Event, FilterReport, Request};
use crate::shards::{merge_reports, merge_rows, plan_page};
use wasm_core::Summary;
use wasm_core::annotation;
use wasm_core::filter::{FilterError, Mode};
use wasm_core::store::{Row, SortKey};

/// A filter for the shown file: an expression (`-i`/`-e`) and region and gene lists.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterArgs {
    pub expression: String,
    pub mode: Mode,
    /// Regions (`chr:beg-end` lines or BED text); `None` for no restriction.
    pub regions: Option<String>,
    /// Gene symbols; `None` for no restriction.
    pub genes: Option<String>,
}

/// Which page of the passing records, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u32,
    pub sort: SortKey,
    pub descending: bool,
}

/// One page of the passing records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Records passing the filter in force.
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<Row>,
    /// Per row, its annotation summary; empty when the file has no annotation field.
    pub annotations: Vec<Option<annotation::Summary>>,
}

/// Streaming mode: the records a scan or a region read kept, now the shown ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// `records`: those kept; `scanned`: those a scan read; `bytes_read`: raw bytes read.
    pub summary: Summary,
    pub millis: f64,
    /// The scan's expression's warnings; none for a region read.
    pub warnings: Vec<FilterError>,
}

/// How the shown file is held: split (`layout`, when it is) and the filter every shard applied
/// (to restore when only some reject a new one). Shared by the client's clones.
#[derive(Default)]
pub(crate) struct Shards {
    pub(crate) layout: Option<Rc<Layout>>,
    pub(crate) applied: Option<FilterArgs>,
}

pub(crate) type SharedShards = Rc<RefCell<Shards>>;

/// A dataset held as shards: what the page needs to merge their answers.
pub(crate) struct Layout {
    /// Per shard, records before it in file order.
    pub(crate) bases: Vec<u64>,
    /// Per shard, its contig ids' ranks in the merged summary.
    pub(crate) ranks: Vec<Vec<u32>>,
    /// The columns every shard shows (the first shard's choice).
    pub(crate) columns: Columns,
    /// Per shard, the undeclared fields only other shards have
    /// ([`crate::shards::absent_fields`]), sent with each filter.
    pub(crate) absent: Vec<AbsentFields>,
}

impl FilterArgs {
    /// The `Filter` request of job `job`.
    fn request(&self, job: u32, absent: AbsentFields) -> Request {
        Request::Filter {
            job,
            expression: self.expression.clone(),
            mode: self.mode,
            regions: self.regions.clone(),
            genes: self.genes.clone(),
            absent,
        }
    }
}

/// Filters the shown dataset; later pages cover the passing records only. An empty
/// expression and no lists clear the filter.
pub(crate) fn filter(
    workers: &Workers,
    shards: &SharedShards,
    filter: FilterArgs,
) -> Reply<FilterReport> {
    let (mut answer, reply) = call();
    let layout = shards.borrow().layout.clone();
    match layout {
        Some(layout) => filter_shards(workers, shards, layout, filter, answer),
        None => {
            let job = workers.next_job();
            let request = filter.request(job, AbsentFields::default());
            workers.ask(
                None,
                job,
                &request,
                Box::new(move |event| {
                    answer.send(match event {
                        Event::Filtered { report, .. } => Ok(report),
                        other => Err(CallError::from_event(other)),
                    })
                }),
            );
        }
    }
    reply
}

/// One page of the shown dataset's passing records. A dataset held as shards is asked for each
/// shard's sort keys first, then for the rows each has on the page.
pub(crate) fn rows(workers: &Workers, shards: &SharedShards, page: PageRequest) -> Reply<Page> {
    let (mut answer, reply) = call();
    let layout = shards.borrow().layout.clone();
    match layout {
        Some(layout) => rows_shards(workers, layout, page, answer),
        None => {
            let job = workers.next_job();
            let request = Request::Rows {
                job,
                offset: page.offset,
                limit: page.limit,
                sort: page.sort,
                descending: page.descending,
                columns: None,
            };
            workers.ask(
                None,
                job,
                &request,
                Box::new(move |event| {
                    answer.send(match event {
                        Event::Rows {
                            total,
                            offset,
                            rows,
                            annotations,
                            ..
                        } => Ok(Page {
                            total,
                            offset,
                            rows,
                            annotations,
                        }),
                        other => Err(CallError::from_event(other)),
                    })
                }),
            );
        }
    }
    reply
}

/// Posts one request to every worker holding the shown dataset (`request(shard, job)`, each
/// its own job) and calls `done` with their final answers, in shard order.
pub(crate) fn fan_out(
    workers: &Workers,
    request: impl Fn(usize, u32) -> Request,
    done: impl FnOnce(Vec<Event>) + 'static,
) {
    fan_out_watching(workers, request, |_, _| {}, done);
}

/// [`fan_out`], handing every event that is not final to `watch` with its shard (progress).
pub(crate) fn fan_out_watching(
    workers: &Workers,
    request: impl Fn(usize, u32) -> Request,
    watch: impl FnMut(usize, Event) + 'static,
    done: impl FnOnce(Vec<Event>) + 'static,
) {
    let watch = Rc::new(RefCell::new(watch));
    let current = workers.current();
    let answers: Rc<RefCell<Vec<Option<Event>>>> = Rc::new(RefCell::new(vec![None; current.len()]));
    type Merge = Box<dyn FnOnce(Vec<Event>)>;
    let done: Rc<RefCell<Option<Merge>>> = Rc::new(RefCell::new(Some(Box::new(done))));
    for (shard, &id) in current.iter().enumerate() {
        let job = workers.next_job();
        let (answers, done, watch) = (answers.clone(), done.clone(), watch.clone());
        let handler: Handler = Box::new(move |event| {
            if !event.is_final() {
                (watch.borrow_mut())(shard, event);
                return;
            }
            let complete = {
                let mut answers = answers.borrow_mut();
                answers[shard] = Some(event);
                answers.iter().all(Option::is_some)
            };
            if complete {
                let answers = answers.borrow_mut().drain(..).flatten().collect();
                if let Some(done) = done.borrow_mut().take() {
                    done(answers);
                }
            }
        });
        workers.ask(Some(id), job, &request(shard, job), handler);
    }
}

/// Filters every shard; the merged report, or the first rejection (the shards that applied it
/// are re-set to the filter in force).
fn filter_shards(
    workers: &Workers,
    shards: &SharedShards,
    layout: Rc<Layout>,
    filter: FilterArgs,
    mut answer: Answer<FilterReport>,
) {
    let (restore, state) = (workers.clone(), shards.clone());
    let args = filter.clone();
    fan_out(
        workers,
        |shard, job| filter.request(job, layout.absent.get(shard).cloned().unwrap_or_default()),
        move |answers| {
            let mut reports = Vec::with_capacity(answers.len());
            let mut rejected = None;
            let mut failed = None;
            for (shard, event) in answers.into_iter().enumerate() {
                match event {
                    Event::Filtered { report, .. } => reports.push((shard, report)),
                    event @ Event::FilterRejected { .. } => {
                        rejected.get_or_insert(event);
                    }
                    other => {
                        failed.get_or_insert(other);
                    }
                }
            }
            if let Some(event) = rejected.or(failed) {
                // Only some shards applied it: they go back to the filter in force.
                let applied = state.borrow().applied.clone();
                restore_filter(&restore, applied, reports.iter().map(|(shard, _)| *shard));
                return answer.send(Err(CallError::from_event(event)));
            }
            state.borrow_mut().applied = Some(args);
            let reports: Vec<FilterReport> = reports.into_iter().map(|(_, r)| r).collect();
            answer.send(
                merge_reports(&reports).ok_or_else(|| CallError::failed("no file is loaded")),
            );
        },
    );
}

/// Re-applies `applied` (none: clears the filter) on `shards` of the shown dataset.
fn restore_filter(
    workers: &Workers,
    applied: Option<FilterArgs>,
    shards: impl Iterator<Item = usize>,
) {
    let current = workers.current();
    let applied = applied.unwrap_or(FilterArgs {
        expression: String::new(),
        mode: Mode::Include,
        regions: None,
        genes: None,
    });
    for shard in shards {
        let Some(&id) = current.get(shard) else {
            continue;
        };
        let job = workers.next_job();
        // The shard has every field the filter in force names: it applied it.
        let request = applied.request(job, AbsentFields::default());
        workers.ask(Some(id), job, &request, Box::new(|_| {}));
    }
}

/// A page of the merged order: every shard's sort keys, the plan, then each shard's rows.
fn rows_shards(workers: &Workers, layout: Rc<Layout>, page: PageRequest, mut answer: Answer<Page>) {
    let PageRequest {
        offset,
        limit,
        sort,
        descending,
    } = page;
    let again = workers.clone();
    let end = offset.saturating_add(u64::from(limit));
    fan_out(
        workers,
        |_, job| Request::Keys {
            job,
            limit: end,
            sort,
            descending,
        },
        move |answers| {
            let mut keys = Vec::with_capacity(answers.len());
            let mut total = 0;
            for event in answers {
                match event {
                    Event::Keys {
                        total: t, keys: k, ..
                    } => {
                        total += t;
                        keys.push(k);
                    }
                    other => return answer.send(Err(CallError::from_event(other))),
                }
            }
            if !answer.is_wanted() {
                return;
            }
            let plan = plan_page(&keys, &layout.ranks, sort, descending, offset, limit);
            let ranges = plan.ranges.clone();
            let columns = layout.columns.clone();
            fan_out(
                &again,
                |shard, job| {
                    let (offset, limit) = ranges[shard];
                    Request::Rows {
                        job,
                        offset,
                        limit,
                        sort,
                        descending,
                        columns: Some(columns.clone()),
                    }
                },
                move |answers| {
                    let mut parts = Vec::with_capacity(answers.len());
                    let mut annotated = false;
                    for event in answers {
                        match event {
                            Event::Rows {
                                rows, annotations, ..
                            } => {
                                annotated |= !annotations.is_empty();
                                let mut annotations = annotations.into_iter();
                                parts.push(
                                    rows.into_iter()
                                        .map(|row| (row, annotations.next().flatten()))
                                        .collect(),
                                );
                            }
                            other => return answer.send(Err(CallError::from_event(other))),
                        }
                    }
                    let (rows, annotations): (Vec<_>, Vec<_>) =
                        merge_rows(&plan, parts, &layout.bases).into_iter().unzip();
                    answer.send(Ok(Page {
                        total,
                        offset,
                        rows,
                        annotations: if annotated { annotations } else { Vec::new() },
                    }));
                },
            );
        },
    );
}
