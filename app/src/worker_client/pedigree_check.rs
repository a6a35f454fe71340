//! The pedigree check over the shown file (CLINICAL.md §4): every worker holding a part of it
//! counts its records ([`Request::PedigreeCheck`] → [`Event::PedigreeTally`]), the page merges
//! the counts ([`Tally::merge`]: they add up to the whole file's) and finishes the check with
//! the pedigree it keeps ([`pedigree_check::finish`]), so the answer is the one a single worker
//! holding the whole file would give, and the PED never has to reach a worker for it.
//!
//! The counts do not depend on the PED, so [`Tallies`] keeps them per shown file: the Family
//! panel's check and the QC panel's badges share one pass over the file (asked together, they
//! wait for the same pass), and checking against an edited PED reads nothing again.

use std::cell::RefCell;
use std::rc::Rc;

use super::call::{Answer, CallError, Reply, call};
use super::fan_out::fan_out;
use super::pool::Workers;
use crate::protocol::{Event, PedigreeCheckReport, Request};
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{self, CheckParams, Declared, Tally};

/// A caller waiting for the counts, with the pedigree its check is finished against.
type Waiter = (Answer<PedigreeCheckReport>, Option<Pedigree>);

/// The shown file's counts, or the callers waiting for them, keyed by the workers holding the
/// file (a new load has new workers, so its counts are never taken for another file's).
#[derive(Clone, Default)]
pub(crate) struct Tallies(Rc<RefCell<Option<Held>>>);

/// The workers holding the shown file, and what is known of their counts.
type Held = (Vec<u32>, Counts);

enum Counts {
    Counting(Vec<Waiter>),
    Counted(Vec<Tally>),
}

/// Asks every worker holding the shown file for its counts (once per file: see [`Tallies`]),
/// and finishes the check against `pedigree` (`None`: the inferences alone, with the notice
/// that there is no PED).
pub(crate) fn pedigree_check(
    workers: &Workers,
    tallies: &Tallies,
    pedigree: Option<Pedigree>,
) -> Reply<PedigreeCheckReport> {
    let (mut answer, reply) = call();
    let current = workers.current();
    if current.is_empty() {
        answer.send(Err(CallError::failed("no file is loaded")));
        return reply;
    }
    {
        let mut cache = tallies.0.borrow_mut();
        match cache.as_mut() {
            Some((held, Counts::Counted(counted))) if *held == current => {
                answer.send(finish(counted.clone(), pedigree.as_ref()));
                return reply;
            }
            Some((held, Counts::Counting(waiting))) if *held == current => {
                waiting.push((answer, pedigree));
                return reply;
            }
            _ => *cache = Some((current.clone(), Counts::Counting(vec![(answer, pedigree)]))),
        }
    }
    let tallies = tallies.clone();
    fan_out(
        workers,
        |_, job| Request::PedigreeCheck { job },
        move |answers| {
            let mut counted = Vec::with_capacity(answers.len());
            let mut failure = None;
            for event in answers {
                match event {
                    Event::PedigreeTally { tally, .. } => counted.push(*tally),
                    other => {
                        failure = Some(CallError::from_event(other));
                        break;
                    }
                }
            }
            let mut cache = tallies.0.borrow_mut();
            // Another file may have been shown meanwhile: its entry is not this pass's.
            let waiting = match cache.take() {
                Some((held, Counts::Counting(waiting))) if held == current => waiting,
                other => {
                    *cache = other;
                    return;
                }
            };
            // A failed pass is not kept: the next ask tries again.
            if failure.is_none() {
                *cache = Some((current, Counts::Counted(counted.clone())));
            }
            drop(cache);
            for (mut answer, pedigree) in waiting {
                answer.send(match &failure {
                    Some(e) => Err(e.clone()),
                    None => finish(counted.clone(), pedigree.as_ref()),
                });
            }
        },
    );
    reply
}

/// The check from the parts' counts, in shard order.
pub fn finish(
    tallies: Vec<Tally>,
    pedigree: Option<&Pedigree>,
) -> Result<PedigreeCheckReport, CallError> {
    let parts = tallies.len() as u32;
    let tally = Tally::merge(tallies).ok_or_else(|| CallError::failed("no file is loaded"))?;
    let declared = pedigree.map(Declared::from_pedigree);
    Ok(PedigreeCheckReport {
        check: pedigree_check::finish(&tally, declared.as_ref(), &CheckParams::default()),
        parts,
    })
}
