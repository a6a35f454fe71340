//! The family analysis' calls (issue 14): tie a pedigree to the shown file, choose inheritance
//! modes, explain one record.
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
use crate::shards::merge_reports;
use wasm_core::inheritance::{Explanation, InheritanceError, Mode, Options, PartEvidence};

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
    let layout = shards.borrow().layout.clone();
    let (worker, base) = match &layout {
        Some(layout) => match shard_of(layout, record) {
            Some((shard, base)) => match workers.current().get(shard) {
                Some(&id) => (Some(id), base),
                None => {
                    answer.send(Err(CallError::failed("the shard holding it is gone")));
                    return reply;
                }
            },
            None => {
                answer.send(Err(CallError::failed("no such record")));
                return reply;
            }
        },
        None => (None, 0),
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

/// The shard holding record `record` of the file, and the records before it.
fn shard_of(layout: &Rc<Layout>, record: u64) -> Option<(usize, u64)> {
    let shard = layout.bases.iter().rposition(|&base| base <= record)?;
    Some((shard, layout.bases[shard]))
}
