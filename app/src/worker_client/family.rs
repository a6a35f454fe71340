//! The family analysis' calls (issue 14): tie a pedigree to the shown file, choose inheritance
//! modes, explain one record, find a record's place in the table's order (a compound het's
//! partner, [`locate`]).
//!
//! A file held by one worker is asked directly. A file held as shards asks every shard
//! ([`fan_out`]): each ties the same pedigree to its part (their answers agree but for the
//! gates one part's fields lack: their notices are joined), each keeps the records of the
//! chosen modes in its part (the filter reports are summed as a filter's, [`merge_reports`]),
//! and a record's explanation is asked of the shard holding it, its compound-het partners'
//! indexes moved into file order.
//!
//! Compound hets whose two variants fall in different shards: once every shard holds the
//! pedigree, each is asked what it offers (`Request::PartEvidence`), the page merges the
//! answers ([`PartEvidence::merge`]) and hands the merged evidence to every shard
//! (`Request::OtherParts`), which pairs its candidates with the others' from then on and names
//! partners by their index in the whole file.

use std::rc::Rc;

use super::call::{CallError, Reply, call};
use super::fan_out::{Layout, SharedShards, fan_out};
use super::pool::Workers;
use crate::protocol::{Event, FilterReport, PedigreeInfo, Request};
use crate::shards::{merge_reports, merged_key};
use wasm_core::inheritance::{Explanation, InheritanceError, Mode, Options, PartEvidence};
use wasm_core::store::SortKey;

/// Ties `ped` (a PED file's text; `None`: none) to the shown file. The inner result is the
/// engine's verdict on the pedigree: the error names the PED line.
pub(crate) fn pedigree(
    workers: &Workers,
    shards: &SharedShards,
    ped: Option<String>,
    options: Options,
) -> Reply<Result<Option<PedigreeInfo>, InheritanceError>> {
    let (mut answer, reply) = call();
    let request = move |job| Request::Pedigree {
        job,
        ped: ped.clone(),
        options: options.clone(),
    };
    let layout = shards.borrow().layout.clone();
    let settle = |event: Event| match event {
        Event::Pedigree { info, .. } => Ok(Ok(info)),
        Event::PedigreeRejected { error, .. } => Ok(Err(error)),
        other => Err(CallError::from_event(other)),
    };
    match layout {
        Some(_) => {
            let again = workers.clone();
            fan_out(
                workers,
                |_, job| request(job),
                move |answers| {
                    let mut merged: Option<Result<Option<PedigreeInfo>, InheritanceError>> = None;
                    for event in answers {
                        match settle(event) {
                            Err(e) => return answer.send(Err(e)),
                            Ok(Err(error)) => return answer.send(Ok(Err(error))),
                            Ok(Ok(info)) => match (&mut merged, info) {
                                (Some(Ok(Some(first))), Some(info)) => {
                                    for notice in info.notices {
                                        if !first.notices.contains(&notice) {
                                            first.notices.push(notice);
                                        }
                                    }
                                }
                                (None, info) => merged = Some(Ok(info)),
                                _ => {}
                            },
                        }
                    }
                    let merged = match merged {
                        Some(merged) => merged,
                        None => return answer.send(Err(CallError::failed("no file is loaded"))),
                    };
                    if !matches!(merged, Ok(Some(_))) {
                        return answer.send(Ok(merged));
                    }
                    exchange_evidence(&again, move |done| {
                        answer.send(done.map(|()| merged));
                    });
                },
            )
        }
        None => {
            let job = workers.next_job();
            workers.ask(
                None,
                job,
                &request(job),
                Box::new(move |event| answer.send(settle(event))),
            );
        }
    }
    reply
}

/// Asks every shard for its part evidence, merges them and hands the merged evidence back to
/// every shard; `done` hears when all kept it.
fn exchange_evidence(workers: &Workers, done: impl FnOnce(Result<(), CallError>) + 'static) {
    let again = workers.clone();
    fan_out(
        workers,
        |shard, job| Request::PartEvidence {
            job,
            part: shard as u32,
        },
        move |answers| {
            let mut parts = Vec::with_capacity(answers.len());
            for event in answers {
                match event {
                    Event::PartEvidence { evidence, .. } => parts.push(evidence),
                    other => return done(Err(CallError::from_event(other))),
                }
            }
            let merged = PartEvidence::merge(parts);
            fan_out(
                &again,
                |shard, job| Request::OtherParts {
                    job,
                    part: shard as u32,
                    others: merged.clone(),
                },
                move |answers| {
                    done(
                        answers
                            .into_iter()
                            .find(|e| !matches!(e, Event::PartsKept { .. }))
                            .map_or(Ok(()), |e| Err(CallError::from_event(e))),
                    )
                },
            );
        },
    );
}

/// Keeps the records that fit any of `modes`, with the filter in force: the filter's report,
/// the modes among its clauses.
pub(crate) fn inheritance(
    workers: &Workers,
    shards: &SharedShards,
    modes: Vec<Mode>,
) -> Reply<FilterReport> {
    let (mut answer, reply) = call();
    let layout = shards.borrow().layout.clone();
    let settle = |event: Event| match event {
        Event::Filtered { report, .. } => Ok(report),
        other => Err(CallError::from_event(other)),
    };
    match layout {
        Some(_) => fan_out(
            workers,
            |_, job| Request::Inheritance {
                job,
                modes: modes.clone(),
            },
            move |answers| {
                let reports: Result<Vec<FilterReport>, CallError> =
                    answers.into_iter().map(settle).collect();
                answer.send(reports.and_then(|r| {
                    merge_reports(&r).ok_or_else(|| CallError::failed("no file is loaded"))
                }));
            },
        ),
        None => {
            let job = workers.next_job();
            workers.ask(
                None,
                job,
                &Request::Inheritance { job, modes },
                Box::new(move |event| answer.send(settle(event))),
            );
        }
    }
    reply
}

/// Record `record`'s (index in file order) explanations under `modes`, asked of the shard
/// holding it.
pub(crate) fn explain(
    workers: &Workers,
    shards: &SharedShards,
    record: u64,
    modes: Vec<Mode>,
) -> Reply<Vec<Explanation>> {
    let (mut answer, reply) = call();
    let (worker, base) = match holder(workers, shards, record) {
        Ok(holder) => holder,
        Err(e) => {
            answer.send(Err(e));
            return reply;
        }
    };
    let job = workers.next_job();
    let request = Request::Explain {
        job,
        record: record - base,
        modes,
    };
    workers.ask(
        worker,
        job,
        &request,
        Box::new(move |event| {
            answer.send(match event {
                // Partners are numbered in the whole file already (the shard holds every
                // shard's evidence).
                Event::Explained { explanations, .. } => Ok(explanations),
                other => Err(CallError::from_event(other)),
            })
        }),
    );
    reply
}

/// Where record `record` (its index in file order) stands in the table's order (the passing
/// records in `sort`): its offset, or `None` when the filter and modes in force leave it out.
///
/// A file held by one worker answers directly. In a pool, the shard holding the record gives
/// its offset in that shard's order and its sort key; every other shard counts its passing
/// records that come before that key in the merged order ([`crate::shards::merged_before`],
/// the order [`crate::shards::plan_page`] pages by); the offset is their sum.
pub(crate) fn locate(
    workers: &Workers,
    shards: &SharedShards,
    record: u64,
    sort: SortKey,
    descending: bool,
) -> Reply<Option<u64>> {
    let (mut answer, reply) = call();
    let layout = shards.borrow().layout.clone();
    let Some(layout) = layout else {
        let job = workers.next_job();
        let request = Request::Locate {
            job,
            record,
            sort,
            descending,
        };
        workers.ask(
            None,
            job,
            &request,
            Box::new(move |event| {
                answer.send(match event {
                    Event::Located { place, .. } => Ok(place.map(|(offset, _)| offset)),
                    other => Err(CallError::from_event(other)),
                })
            }),
        );
        return reply;
    };
    let Some((shard, base)) = shard_of(&layout, record) else {
        answer.send(Ok(None));
        return reply;
    };
    let Some(&id) = workers.current().get(shard) else {
        answer.send(Err(CallError::failed("the shard holding it is gone")));
        return reply;
    };
    let job = workers.next_job();
    let request = Request::Locate {
        job,
        record: record - base,
        sort,
        descending,
    };
    let again = workers.clone();
    let mut waiting = Some(answer);
    workers.ask(
        Some(id),
        job,
        &request,
        Box::new(move |event| {
            // The final event comes once; the fan-out below then owns the answer.
            let Some(mut answer) = waiting.take() else {
                return;
            };
            let (local, key) = match event {
                Event::Located {
                    place: Some(place), ..
                } => place,
                Event::Located { place: None, .. } => return answer.send(Ok(None)),
                other => return answer.send(Err(CallError::from_event(other))),
            };
            if !answer.is_wanted() {
                return;
            }
            let ranks = layout.ranks.get(shard).map_or(&[][..], Vec::as_slice);
            let key = merged_key(key, ranks, sort);
            fan_out(
                &again,
                |part, job| Request::Precede {
                    job,
                    sort,
                    descending,
                    shard: shard as u32,
                    key,
                    part: part as u32,
                    ranks: layout.ranks.get(part).cloned().unwrap_or_default(),
                },
                move |answers| {
                    let mut offset = local;
                    for (part, event) in answers.into_iter().enumerate() {
                        match event {
                            // The holding shard's own records before it: `local`.
                            Event::Preceding { .. } if part == shard => {}
                            Event::Preceding { count, .. } => offset += count,
                            other => return answer.send(Err(CallError::from_event(other))),
                        }
                    }
                    answer.send(Ok(Some(offset)));
                },
            );
        }),
    );
    reply
}

/// The worker holding record `record` of the shown file (`None`: the one worker) and the
/// records before its part; an error when no part holds it or its worker is gone.
pub(super) fn holder(
    workers: &Workers,
    shards: &SharedShards,
    record: u64,
) -> Result<(Option<u32>, u64), CallError> {
    let layout = shards.borrow().layout.clone();
    match &layout {
        Some(layout) => match shard_of(layout, record) {
            Some((shard, base)) => match workers.current().get(shard) {
                Some(&id) => Ok((Some(id), base)),
                None => Err(CallError::failed("the shard holding it is gone")),
            },
            None => Err(CallError::failed("no such record")),
        },
        None => Ok((None, 0)),
    }
}

/// The shard holding record `record` of the file, and the records before it.
fn shard_of(layout: &Rc<Layout>, record: u64) -> Option<(usize, u64)> {
    let shard = layout.bases.iter().rposition(|&base| base <= record)?;
    Some((shard, layout.bases[shard]))
}
