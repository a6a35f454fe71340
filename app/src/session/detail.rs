//! The variant detail of one record, computed where the record lives: the engine's
//! [`wasm_core::detail::record_detail`] (every field with its declaration, the samples, every
//! transcript) and the classification pre-fills [`wasm_core::classification::prefill`] supports
//! for it — the annotation the table summarises, population frequencies, and with a pedigree
//! tied the de novo explanations of the family analysis (PS2 when the page says parentage is
//! confirmed, else PM6).
//!
//! Data flow: `Request::Detail` → [`Session::detail`] → `Event::Detail`.

use wasm_core::annotation;
use wasm_core::classification::{FamilyEvidence, PrefillParams, prefill};
use wasm_core::detail::record_detail;
use wasm_core::inheritance::Mode;

use super::Session;
use crate::protocol::VariantDetail;

impl Session {
    /// Record `record`'s (index in this worker's file order) detail; `None` when the store has
    /// no such record. `parentage_confirmed`: the page's pedigree check found no parentage
    /// warning, so a de novo call is PS2 rather than PM6.
    pub fn detail(&self, record: u64, parentage_confirmed: bool) -> Option<VariantDetail> {
        let store = &self.dataset.store;
        let i = usize::try_from(record).ok()?;
        let detail = record_detail(store, i, &annotation::schemas(store))?;
        let family = self.family.as_ref().map(|f| {
            let explanations = f.explain(store, record, &[Mode::DeNovo, Mode::XDeNovo]);
            FamilyEvidence::from_explanations(&explanations, parentage_confirmed)
        });
        let prefills = prefill(
            store,
            i,
            self.annotation.as_ref(),
            family.as_ref().unwrap_or(&FamilyEvidence::default()),
            &PrefillParams::default(),
        );
        Some(VariantDetail {
            detail,
            prefills,
            family,
        })
    }
}
