//! The pedigree check over the shown file (CLINICAL.md §4): every worker holding a part of it
//! counts its records ([`Request::PedigreeCheck`] → [`Event::PedigreeTally`]), the page merges
//! the counts ([`Tally::merge`]: they add up to the whole file's) and finishes the check with
//! the pedigree it keeps ([`pedigree_check::finish`]), so the answer is the one a single worker
//! holding the whole file would give, and the PED never has to reach a worker for it.

use super::call::{CallError, Reply, call};
use super::fan_out::fan_out;
use super::pool::Workers;
use crate::protocol::{Event, PedigreeCheckReport, Request};
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{self, CheckParams, Declared, Tally};

/// Asks every worker holding the shown file for its counts, and finishes the check against
/// `pedigree` (`None`: the inferences alone, with the notice that there is no PED).
pub(crate) fn pedigree_check(
    workers: &Workers,
    pedigree: Option<Pedigree>,
) -> Reply<PedigreeCheckReport> {
    let (mut answer, reply) = call();
    if workers.current().is_empty() {
        answer.send(Err(CallError::failed("no file is loaded")));
        return reply;
    }
    fan_out(
        workers,
        |_, job| Request::PedigreeCheck { job },
        move |answers| {
            let mut tallies = Vec::with_capacity(answers.len());
            for event in answers {
                match event {
                    Event::PedigreeTally { tally, .. } => tallies.push(*tally),
                    other => return answer.send(Err(CallError::from_event(other))),
                }
            }
            answer.send(finish(tallies, pedigree.as_ref()))
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
