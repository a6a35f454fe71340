//! The worker's answer to `Request::Stats`: the QC statistics of its records (the whole store
//! or the records passing the filter in force), with the names a pool's merge orders by.
//!
//! Both `bcftools stats`' sections and the QC beyond them come from one walk each over the
//! store's columns (`wasm_core::stats`); with a PED, each trio of it whose three members are
//! samples here is judged (`stats::trios::judge`) and counted. A PED that does not parse, or a
//! file with chrX records and no build, leaves the trios out and says why (`trio_problem`): the
//! rest of the numbers stand.

use crate::protocol::{Event, StatsPart, StatsScope};
use crate::session::{self, Session};
use wasm_core::inheritance::Build;
use wasm_core::pedigree::Pedigree;
use wasm_core::stats::{bcftools, qc, trios};

/// The statistics of `session`'s records in `scope`, as the `Stats` event of `job`.
pub fn answer(job: u32, session: &Session, scope: StatsScope, ped: Option<&str>) -> Event {
    let started = session::now();
    let dataset = session.dataset();
    let store = &dataset.store;
    let keep = match scope {
        StatsScope::Whole => None,
        StatsScope::Filtered => session.pass(),
    };
    let (judged, trio_problem) = match ped.filter(|p| !p.trim().is_empty()) {
        None => (Vec::new(), None),
        Some(text) => match Pedigree::parse(text.as_bytes()) {
            Err(e) => (Vec::new(), Some(format!("the PED: {}", e.report()))),
            Ok(pedigree) => {
                let build = Build::of_summary(&dataset.summary);
                match trios::judge(store, &pedigree, build) {
                    Ok(judged) => (judged, None),
                    Err(e) => (Vec::new(), Some(e.report().to_string())),
                }
            }
        },
    };
    let calls: Vec<_> = judged.iter().map(trios::TrioJudgements::calls).collect();
    let part = StatsPart {
        bcftools: bcftools::compute(store, keep),
        qc: qc::compute_with_trios(store, keep, &calls),
        contigs: store.contigs().to_vec(),
        filters: store.filter_names().to_vec(),
        trio_problem,
        records: keep.map_or(store.len() as u64, |k| k.count_ones()),
        millis: 0.0,
    };
    Event::Stats {
        job,
        part: Box::new(StatsPart {
            millis: session::now() - started,
            ..part
        }),
    }
}
