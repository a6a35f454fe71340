//! The family analysis a [`Session`](super::Session) holds (issue 14, CLINICAL.md §1–2): the
//! pedigree tied to the dataset, the modes chosen, and their [`Selection`].
//!
//! [`Family::new`] parses a PED text (picked with the data, or written by the page's pedigree
//! builder) and builds the engine's [`Analysis`] over the store — the part that costs time,
//! done once per pedigree, gates and strictness. [`Family::choose`] evaluates the chosen modes
//! (columnar) and keeps the [`Selection`]: its bitmap never leaves the worker, the session joins
//! it to the filter's ([`Family::clauses`]). [`Family::explain`] answers one row's "why / why
//! not". [`Family::info`] is what the page shows about the pedigree.
//!
//! Data flow: `Request::Pedigree` → [`Family::new`] → `Event::Pedigree`; `Request::Inheritance`
//! → [`Family::choose`] → the session's filter → `Event::Filtered`; `Request::Explain` →
//! [`Family::explain`] → `Event::Explained`.

use wasm_core::bitmap::Bitmap;
use wasm_core::inheritance::{
    self, Analysis, Explanation, InheritanceError, Mode, PartEvidence, Selection,
};
use wasm_core::pedigree::Pedigree;
use wasm_core::store::VariantStore;

use crate::protocol::{ClauseReport, ClauseSource, FamilyInfo, PedigreeInfo};

/// A pedigree tied to one store, and the modes chosen.
pub struct Family {
    analysis: Analysis,
    modes: Vec<Mode>,
    selection: Option<Selection>,
    /// In a pool: this shard's number and every shard's merged evidence, so compound hets pair
    /// across shards; `(0, empty)` for a whole file.
    part: u32,
    others: PartEvidence,
}

impl Family {
    /// Reads `ped` and ties it to `store`'s samples.
    pub fn new(
        store: &VariantStore,
        ped: &str,
        options: inheritance::Options,
    ) -> Result<Family, InheritanceError> {
        let pedigree = Pedigree::parse(ped.as_bytes())?;
        let analysis = Analysis::new(store, &pedigree, options)?;
        Ok(Family {
            analysis,
            modes: Vec::new(),
            selection: None,
            part: 0,
            others: PartEvidence::default(),
        })
    }

    /// Evaluates `modes` (none: no selection).
    pub fn choose(&mut self, store: &VariantStore, modes: Vec<Mode>) {
        self.selection = (!modes.is_empty()).then(|| {
            self.analysis
                .select_in_part(store, &modes, self.part, &self.others)
        });
        self.modes = modes;
    }

    /// What this shard (`part` of a pool) offers compound hets in other shards.
    pub fn part_evidence(&self, store: &VariantStore, part: u32) -> PartEvidence {
        self.analysis.part_evidence(store, part)
    }

    /// Keeps every shard's merged evidence for this shard, `part`; the chosen modes are
    /// evaluated again with it.
    pub fn other_parts(&mut self, store: &VariantStore, part: u32, others: PartEvidence) {
        self.part = part;
        self.others = others;
        let modes = std::mem::take(&mut self.modes);
        self.choose(store, modes);
    }

    /// Whether modes are chosen.
    pub fn active(&self) -> bool {
        self.selection.is_some()
    }

    /// Narrows `kept` to the records some chosen mode keeps; reports one clause per mode (what
    /// it alone would remove here) and one for their union (what they removed).
    pub fn clauses(&self, kept: &mut Bitmap, out: &mut Vec<ClauseReport>) {
        let Some(selection) = &self.selection else {
            return;
        };
        let before = kept.count_ones();
        for result in &selection.modes {
            let mode_kept = result.kept();
            let mut alone = kept.clone();
            alone.and_with(&mode_kept);
            out.push(ClauseReport {
                source: ClauseSource::Mode(result.mode),
                text: result.mode.name().to_string(),
                span: None,
                failing: mode_kept.len() as u64 - mode_kept.count_ones(),
                removed: before - alone.count_ones(),
            });
        }
        kept.and_with(&selection.kept);
        let names: Vec<&str> = self.modes.iter().map(|m| m.name()).collect();
        out.push(ClauseReport {
            source: ClauseSource::Inheritance,
            text: format!("inheritance: {}", names.join(" or ")),
            span: None,
            failing: selection.kept.len() as u64 - selection.kept.count_ones(),
            removed: before - kept.count_ones(),
        });
    }

    /// Record `record`'s explanations under `modes`.
    pub fn explain(&self, store: &VariantStore, record: u64, modes: &[Mode]) -> Vec<Explanation> {
        match usize::try_from(record) {
            Ok(i) if i < store.len() => {
                self.analysis
                    .explain_row_in_part(store, i, modes, self.part, &self.others)
            }
            _ => Vec::new(),
        }
    }

    /// The pedigree as the page shows it, for a file with `samples`.
    pub fn info(&self, samples: &[String]) -> PedigreeInfo {
        let matched = self.analysis.matched();
        let pedigree = &matched.pedigree;
        let individuals = pedigree.individuals();
        let mut roles = vec![None; samples.len()];
        let families = (0..pedigree.families().len())
            .map(|f| {
                let family = &pedigree.families()[f];
                let members = pedigree
                    .roles(f)
                    .into_iter()
                    .map(|(m, role)| {
                        let sample = matched.sample(m);
                        if let Some(s) = sample
                            && let Some(slot) = roles.get_mut(s)
                        {
                            *slot = Some((family.id.clone(), role));
                        }
                        (individuals[m].id.clone(), role, sample.is_some())
                    })
                    .collect();
                FamilyInfo {
                    id: family.id.clone(),
                    members,
                }
            })
            .collect();
        PedigreeInfo {
            pedigree: pedigree.clone(),
            sequenced: individuals
                .iter()
                .enumerate()
                .filter(|(m, _)| matched.sample(*m).is_some())
                .map(|(_, i)| i.id.clone())
                .collect(),
            families,
            roles,
            notices: self.analysis.notices().to_vec(),
        }
    }
}
