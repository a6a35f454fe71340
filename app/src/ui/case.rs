//! The open case ([`wasm_core::case::Case`]) as page state: [`CaseState`], provided by
//! [`super::App`] ([`provide_case_context`] / [`use_case`]). A case belongs to the shown file
//! (its salted fingerprint); the variant detail's classification and `add-to-report` edit it
//! through [`CaseState::edit_variant`], and whatever keeps or exports it reads
//! [`CaseState::case`]. Nothing here is sent anywhere.
//!
//! [`keep_case`] keeps it in the browser ([`idb`], IndexedDB, keyed by the fingerprint): the case
//! is saved a moment after every change (debounced), and when a file with a kept case is shown
//! the case comes back — with its pedigree, filter and modes applied again through the family
//! and selection state, and a notice ([`CaseState::reopened`]) saying so, which offers to start
//! afresh. The case panel ([`panel::CasePanel`]) shows it and exports / imports it.

pub mod idb;
pub mod panel;
pub mod transfer;

use std::time::Duration;

use leptos::prelude::*;
use wasm_core::case::{Case, CaseFilter, CaseVariant, VariantKey};
use wasm_core::filter::Mode as FilterMode;

use super::family::Family;
use super::selection::Selection;
use super::state::use_app;

/// How long after the last change the case is written to IndexedDB.
const SAVE_DELAY: Duration = Duration::from_millis(400);

/// A kept case reopened for the shown file: what the notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reopened {
    pub classified: usize,
    pub reported: usize,
}

/// The case of the shown file. `Copy`: a handle.
#[derive(Clone, Copy)]
pub struct CaseState {
    /// `None` while no file is shown.
    pub case: RwSignal<Option<Case>>,
    /// A kept case came back for the shown file (the notice), until dismissed or started afresh.
    pub reopened: RwSignal<Option<Reopened>>,
    /// The kept case of the shown file was looked for: changes are saved from then on (before,
    /// a save would overwrite the case being reopened).
    pub ready: RwSignal<bool>,
    /// Why the browser's storage failed, if it did (the case then lives only in this page).
    pub problem: RwSignal<Option<String>>,
    /// A case's pedigree is being tied again: the family state is not the case's yet, so it is
    /// not recorded into the case until the workers answer.
    restoring: RwSignal<bool>,
}

impl CaseState {
    /// A case state holding `case`, not yet tied to IndexedDB (what [`provide_case_context`]
    /// starts from, with `None`; a test mounting a view that edits a case starts from one).
    pub fn holding(case: Option<Case>) -> Self {
        CaseState {
            case: RwSignal::new(case),
            reopened: RwSignal::new(None),
            ready: RwSignal::new(false),
            problem: RwSignal::new(None),
            restoring: RwSignal::new(false),
        }
    }

    /// What the case holds of `key` (tracked).
    pub fn variant(&self, key: &VariantKey) -> Option<CaseVariant> {
        self.case
            .with(|case| case.as_ref().and_then(|c| c.variant(key).cloned()))
    }

    /// Changes what the case holds of `key`; nothing happens while no file is shown.
    pub fn edit_variant(&self, key: &VariantKey, edit: impl FnOnce(&mut CaseVariant)) {
        self.edit(|case| case.edit_variant(key, edit));
    }

    /// Changes the case (and its `updated_ms`); nothing happens while no file is shown.
    pub fn edit(&self, edit: impl FnOnce(&mut Case)) {
        self.case.update(|case| {
            if let Some(case) = case {
                edit(case);
                case.updated_ms = js_sys::Date::now();
            }
        });
    }

    /// The report list's keys, in key order (tracked).
    pub fn report_keys(&self) -> Vec<VariantKey> {
        self.case.with(|case| {
            case.iter()
                .flat_map(|c| c.report_list().map(|(k, _)| k.clone()))
                .collect()
        })
    }

    /// Drops the case's decisions and notes for the shown file (and the kept copy); the
    /// pedigree, filter and modes in force stay and are recorded again.
    pub fn start_afresh(&self) {
        self.reopened.set(None);
        let shown = self.case.with_untracked(|c| {
            c.as_ref()
                .map(|c| (c.fingerprint.clone(), c.file_name.clone()))
        });
        if let Some((fingerprint, name)) = shown {
            let kept = self.case.with_untracked(|c| {
                c.as_ref().map(|c| {
                    (
                        c.pedigree.clone(),
                        c.filter.clone(),
                        c.modes.clone(),
                        c.lenient,
                    )
                })
            });
            let mut fresh = Case::new(fingerprint.clone(), name);
            if let Some((pedigree, filter, modes, lenient)) = kept {
                fresh.pedigree = pedigree;
                fresh.filter = filter;
                fresh.modes = modes;
                fresh.lenient = lenient;
            }
            fresh.updated_ms = js_sys::Date::now();
            self.case.set(Some(fresh));
        }
    }

    /// Replaces the case with `case` (an imported one, already checked against the shown file)
    /// and applies its pedigree, filter and modes.
    pub fn replace(&self, case: Case, selection: Selection, family: Family) {
        self.reopened.set(None);
        self.apply(&case, selection, family);
        self.case.set(Some(case));
    }

    /// Applies a case's pedigree, filter and modes to the page (and so to the workers).
    fn apply(&self, case: &Case, selection: Selection, family: Family) {
        let f = &case.filter;
        selection.draft.set(f.expression.clone());
        selection.mode.set(if f.exclude {
            FilterMode::Exclude
        } else {
            FilterMode::Include
        });
        selection.regions.set(f.regions.clone());
        selection.genes.set(f.genes.clone());
        if *f != CaseFilter::default() {
            selection.apply();
        }
        family.lenient.set(case.lenient);
        if let Some(ped) = &case.pedigree {
            self.restoring.set(true);
            family.modes.set(case.modes.clone());
            family.apply_ped("the case's pedigree".into(), ped.clone());
        }
    }
}

/// Makes the case available to the components below. A newly shown file starts an empty case
/// for its fingerprint; the same file shown again keeps the case it has.
pub fn provide_case_context() -> CaseState {
    let state = use_app();
    let cases = CaseState::holding(None);
    Effect::new(move |_| {
        let shown = state.loaded.with(|f| {
            f.as_ref()
                .map(|f| (f.loaded.fingerprint.clone(), f.name.clone()))
        });
        let same = cases.case.with_untracked(|c| {
            c.as_ref().map(|c| &c.fingerprint) == shown.as_ref().map(|(fp, _)| fp)
        });
        // Every file shown (the same one opened again too) looks for its kept case: opening
        // resets the pedigree, modes and filter, which the case then brings back.
        cases.ready.set(false);
        cases.restoring.set(false);
        cases.reopened.set(None);
        if !same {
            cases
                .case
                .set(shown.map(|(fingerprint, name)| Case::new(fingerprint, name)));
        }
    });
    provide_context(cases);
    cases
}

/// The open case, inside [`super::App`].
pub fn use_case() -> CaseState {
    use_context().expect("CaseState is provided by App")
}

/// Keeps the case in IndexedDB and reopens it (see the module's notes). Called once by
/// [`super::App`], after the selection and family state exist.
pub fn keep_case(selection: Selection, family: Family) {
    let cases = use_case();
    // A newly shown file: look for its kept case.
    let state = use_app();
    Effect::new(move |_| {
        let Some(fingerprint) = state
            .loaded
            .with(|f| f.as_ref().map(|f| f.loaded.fingerprint.clone()))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            let kept = idb::load(&fingerprint).await;
            // Another file was shown meanwhile.
            if cases
                .case
                .with_untracked(|c| c.as_ref().map(|c| &c.fingerprint) != Some(&fingerprint))
            {
                return;
            }
            match kept {
                Ok(Some(json)) => match Case::from_json(&json) {
                    Ok(mut case) if case.fingerprint == fingerprint => {
                        let (classified, reported) = case.counts();
                        cases.reopened.set(Some(Reopened {
                            classified,
                            reported,
                        }));
                        // The name shown now (a renamed copy of the same file).
                        if let Some(name) = cases
                            .case
                            .with_untracked(|c| c.as_ref().map(|c| c.file_name.clone()))
                        {
                            case.file_name = name;
                        }
                        cases.apply(&case, selection, family);
                        cases.case.set(Some(case));
                    }
                    Ok(_) => {}
                    Err(e) => cases.problem.set(Some(format!(
                        "The case kept for this file could not be read ({}); a new one was started.",
                        e.report()
                    ))),
                },
                Ok(None) => {}
                Err(e) => cases.problem.set(Some(e.to_string())),
            }
            cases.ready.set(true);
        });
    });

    // The pedigree, filter and modes in force go into the case.
    Effect::new(move |_| {
        let ped = family
            .info
            .with(Option::is_some)
            .then(|| {
                family
                    .ped
                    .with(|p| p.as_ref().map(|(_, text)| text.clone()))
            })
            .flatten();
        let modes = family.modes.get();
        let lenient = family.lenient.get();
        let filtered = selection.report.with(Option::is_some);
        let answered = family.info.with(Option::is_some) || family.problem.with(Option::is_some);
        if !cases.ready.get() {
            return;
        }
        if cases.restoring.get() {
            if !answered {
                return;
            }
            cases.restoring.set(false);
        }
        let filter = if filtered {
            CaseFilter {
                expression: selection.draft.get_untracked(),
                regions: selection.regions.get_untracked(),
                genes: selection.genes.get_untracked(),
                exclude: selection.mode.get_untracked() == FilterMode::Exclude,
            }
        } else {
            CaseFilter::default()
        };
        let changed = cases.case.with_untracked(|c| {
            c.as_ref().is_some_and(|c| {
                c.pedigree != ped || c.modes != modes || c.lenient != lenient || c.filter != filter
            })
        });
        if changed {
            cases.edit(|c| {
                c.pedigree = ped;
                c.modes = modes;
                c.lenient = lenient;
                c.filter = filter;
            });
        }
    });

    // Every change is saved, a moment after the last one.
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let Some(case) = cases.case.get() else {
            return;
        };
        if !cases.ready.get() {
            return;
        }
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let result = if case.is_empty() {
                        idb::remove(&case.fingerprint).await
                    } else {
                        idb::save(&case.fingerprint, &case.to_json()).await
                    };
                    if let Err(e) = result {
                        cases.problem.set(Some(e.to_string()));
                    }
                });
            },
            SAVE_DELAY,
        )
        .ok();
        pending.set_value(handle);
    });
}
