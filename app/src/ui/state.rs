//! The page's shared state, provided as context by [`super::App`]: [`AppState`]
//! ([`provide_app_context`] / [`use_app`]: the load in progress, the shown file, the index's
//! overview, the error banner and notice, the encrypted file waiting for its key and the key
//! chosen for it) and the [`WorkerClient`] ([`provide_client_context`] / [`use_client`]); the
//! types they hold; and the page's settings from its URL (`?workers=N`, `?memory-budget=MB`,
//! `?demo=NAME`). Every panel reads these; none of them is defined by a panel, so panels depend
//! on this module and not on one another.

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::Blob;
use zeroize::Zeroizing;

use super::keys::ChosenKey;
use crate::api::Api;
use crate::protocol::Loaded;
use crate::worker_client::{self, WorkerClient};
use wasm_core::Location;
use wasm_core::formats::indexed::Overview;

/// A load in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProgress {
    pub name: String,
    pub done: u64,
    /// 0 when unknown.
    pub total: u64,
}

/// The shown file: what its workers said ([`Loaded`]) and what the page knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFile {
    /// The file's name: shown here, never sent.
    pub name: String,
    pub size_bytes: u64,
    /// Workers holding it, one shard each.
    pub workers: usize,
    pub loaded: Loaded,
}

/// What the error banner shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    /// What failed, in a few words: "Could not open the file".
    pub title: String,
    pub message: String,
    pub location: Option<Location>,
}

/// The page's state. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct AppState {
    pub api: Api,
    pub load: RwSignal<Option<LoadProgress>>,
    pub loaded: RwSignal<Option<Arc<LoadedFile>>>,
    /// What the index of the file being opened (or shown) says.
    pub overview: RwSignal<Option<IndexOverview>>,
    pub error: RwSignal<Option<ErrorInfo>>,
    /// A passing remark (cancelled, files ignored, …).
    pub notice: RwSignal<Option<String>>,
    /// The encrypted file waiting for a key; the key panel shows while it is set.
    pub locked: RwSignal<Option<PickedFile>, LocalStorage>,
    /// The secret key chosen to decrypt it; dropped once a file loads or the panel is closed.
    pub key: RwSignal<Option<Arc<ChosenKey>>>,
    /// The passphrase of the open demo's public demo key, shown openly next to the key panel.
    pub demo_passphrase: RwSignal<Option<&'static str>>,
}

impl AppState {
    /// Makes `text` (named `name` here) the key for decrypting.
    pub fn choose_key(&self, name: String, text: Zeroizing<String>) {
        self.key.set(Some(Arc::new(ChosenKey::new(name, text))));
    }

    pub fn fail(&self, title: &str, message: String, location: Option<Location>) {
        self.error.set(Some(ErrorInfo {
            title: title.to_string(),
            message,
            location,
        }));
    }
}

/// Makes the page's state available to the components below.
pub fn provide_app_context() -> AppState {
    let state = AppState {
        api: Api::new(),
        load: RwSignal::new(None),
        loaded: RwSignal::new(None),
        overview: RwSignal::new(None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        locked: RwSignal::new_local(None),
        key: RwSignal::new(None),
        demo_passphrase: RwSignal::new(None),
    };
    provide_context(state);
    state
}

/// The page's state, inside [`super::App`].
pub fn use_app() -> AppState {
    use_context().expect("AppState is provided by App")
}

/// Makes the worker pool available to the components below.
pub fn provide_client_context(client: WorkerClient) -> WorkerClient {
    // The client lives on this thread (its workers' callbacks hold it): context holds a handle.
    provide_context(StoredValue::new_local(client.clone()));
    client
}

/// The worker pool (a cheap handle), inside [`super::App`].
pub fn use_client() -> WorkerClient {
    use_context::<StoredValue<WorkerClient, LocalStorage>>()
        .expect("the WorkerClient is provided by App")
        .get_value()
}

/// Workers a load may use: `?workers=N` (1–64), else the browser's `hardwareConcurrency`, at
/// most [`worker_client::MAX_WORKERS`].
pub fn pool_size() -> u32 {
    if let Some(n) = query_param("workers").and_then(|v| v.parse::<u32>().ok()) {
        return n.clamp(1, 64);
    }
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as u32).clamp(1, worker_client::MAX_WORKERS)
}

/// The worker's memory budget from `?memory-budget=MB` (a setting, not file content), in bytes;
/// `None` for the worker's default.
pub fn memory_budget() -> Option<u64> {
    let mb: f64 = query_param("memory-budget")?.parse().ok()?;
    (mb.is_finite() && mb > 0.0).then_some((mb * 1e6) as u64)
}

/// An index's overview and the index's file name (shown here, never sent).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexOverview {
    pub overview: Overview,
    pub index_name: String,
}

/// A `.tbi` / `.csi` picked with its data file. The page never reads it.
#[derive(Clone)]
pub struct IndexFile {
    pub blob: Blob,
    /// Shown here, never sent.
    pub name: String,
}

/// A data file to open: the page keeps the handle (not the bytes), so an encrypted one can be
/// opened again with its key without a new pick.
#[derive(Clone)]
pub struct PickedFile {
    pub blob: Blob,
    /// The file's name: shown here, never sent.
    pub name: String,
    /// Its index, opened with it.
    pub index: Option<IndexFile>,
}

/// A query parameter of the page's URL.
pub fn query_param(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(key)
        .filter(|v| !v.is_empty())
}
