//! The open case ([`wasm_core::case::Case`]) as page state: [`CaseState`], provided by
//! [`super::App`] ([`provide_case_context`] / [`use_case`]). A case belongs to the shown file
//! (its salted fingerprint); the variant detail's classification and `add-to-report` edit it
//! through [`CaseState::edit_variant`], and whatever keeps or exports it reads
//! [`CaseState::case`]. Nothing here is sent anywhere.

use leptos::prelude::*;
use wasm_core::case::{Case, CaseVariant, VariantKey};

use super::state::use_app;

/// The case of the shown file. `Copy`: a handle.
#[derive(Clone, Copy)]
pub struct CaseState {
    /// `None` while no file is shown.
    pub case: RwSignal<Option<Case>>,
}

impl CaseState {
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
}

/// Makes the case available to the components below. A newly shown file starts an empty case
/// for its fingerprint; the same file shown again keeps the case it has.
pub fn provide_case_context() -> CaseState {
    let state = use_app();
    let cases = CaseState {
        case: RwSignal::new(None),
    };
    Effect::new(move |_| {
        let shown = state.loaded.with(|f| {
            f.as_ref()
                .map(|f| (f.loaded.fingerprint.clone(), f.name.clone()))
        });
        let same = cases.case.with_untracked(|c| {
            c.as_ref().map(|c| &c.fingerprint) == shown.as_ref().map(|(fp, _)| fp)
        });
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
