//! The page: Leptos components on the main thread.
//!
//! [`App`] owns the page's state ([`AppState`], provided as context): the load in progress, the
//! loaded file's summary, the error banner and the network log. Opening a file (input, drop or
//! demo) goes through [`open_blob`] → [`WorkerClient::open`]; the worker answers with events that
//! update the state. The table asks the worker for the visible page only.
//!
//! A Crypt4GH-encrypted file is answered by the worker with `KeyRequired`: the page keeps the
//! file's handle as [`LockedFile`] and [`unlock::UnlockPanel`] asks for the secret key (a file,
//! picked there or together with the data file, or pasted text) and its passphrase, then opens the
//! same file again with them. A failed attempt keeps the panel, so another passphrase or key can be
//! tried without picking the data file again.
//!
//! Indexes: a `.tbi` / `.csi` picked with its data file (matched by name, [`index_for`]) goes
//! to the worker beside it; the worker answers with an overview at once ([`overview`]), then
//! reads the file. A file too large for the memory budget (`?memory-budget=MB` overrides the
//! worker's default) opens in streaming mode ([`streaming`]): filters and regions then scan or
//! query the file, and the table shows what they keep.
//!
//! Components: [`open::OpenPanel`] (file input, demos, progress, cancel), [`unlock::UnlockPanel`],
//! [`overview::OverviewPanel`], [`summary::Summary`], [`streaming::StreamingPanel`],
//! [`region::RegionBox`],
//! [`filter::FilterPanel`] (expression, builder, presets, gene and region lists; the table then
//! shows the passing records only), [`table::VariantTable`], [`egress::EgressLog`]. Everything derived from a file is shown on this
//! page only; what goes to the server is listed by [`egress::EgressLog`].

pub mod egress;
pub mod filter;
pub mod format;
pub mod open;
pub mod overview;
pub mod region;
pub mod streaming;
pub mod summary;
pub mod table;
pub mod unlock;

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::{Blob, File};

use crate::api::{self, Api, DatasetDescriptor};
use crate::protocol::{Event, FilterSchema, KeyMaterial};
use crate::worker_client::{self, WorkerClient};
use wasm_core::formats::MemoryEstimate;
use wasm_core::{Location, Summary};

/// A load in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProgress {
    /// The worker job; 0 while the bytes are still being fetched (the demo).
    pub job: u32,
    pub name: String,
    pub done: u64,
    /// 0 when unknown.
    pub total: u64,
}

/// A loaded file, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFile {
    /// The file's name: shown here, never sent.
    pub name: String,
    pub size_bytes: u64,
    pub summary: Summary,
    pub info_keys: Vec<String>,
    pub format_keys: Vec<String>,
    pub fingerprint: String,
    pub format: String,
    pub millis: f64,
    /// Fields, samples and annotations, for the filter builder and presets.
    pub schema: FilterSchema,
    /// The annotation field the table summarises (Gene, Consequence, HGVS columns).
    pub annotation: Option<String>,
    /// Set when the file was too large to load: the worker scans it instead.
    pub streaming: Option<Streaming>,
    /// Workers holding it, one shard each.
    pub workers: usize,
}

/// Why a file is in streaming mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Streaming {
    /// What holding it would take.
    pub estimate: MemoryEstimate,
    /// What this tab's worker may hold, in store bytes.
    pub budget: u64,
    /// An index came with it: region queries read only their part of the file.
    pub indexed: bool,
}

/// A `.tbi` / `.csi` picked with its data file. The page never reads it.
#[derive(Clone)]
pub struct IndexFile {
    pub blob: Blob,
    /// Shown here, never sent.
    pub name: String,
}

/// A Crypt4GH file waiting for its key. The page keeps the handle (not the bytes), so a retry
/// with another passphrase or key needs no new pick.
#[derive(Clone)]
pub struct LockedFile {
    pub blob: Blob,
    /// The file's name: shown here, never sent.
    pub name: String,
    /// Its index, opened with it once the key is given.
    pub index: Option<IndexFile>,
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
    client: StoredValue<WorkerClient, LocalStorage>,
    pub api: Api,
    pub load: RwSignal<Option<LoadProgress>>,
    pub loaded: RwSignal<Option<Arc<LoadedFile>>>,
    /// What the index of the file being opened (or shown) says, drawn ([`overview::chart`]).
    pub overview: RwSignal<Option<String>>,
    pub error: RwSignal<Option<ErrorInfo>>,
    /// A passing remark (cancelled, files ignored, …).
    pub notice: RwSignal<Option<String>>,
    /// The encrypted file waiting for a key; the key panel shows while it is set.
    pub locked: RwSignal<Option<LockedFile>, LocalStorage>,
    /// The secret key chosen to decrypt it; dropped once a file loads or the panel is closed.
    pub key: RwSignal<Option<Arc<unlock::ChosenKey>>>,
    /// The passphrase of the open demo's public demo key, shown openly next to the key panel.
    pub demo_passphrase: RwSignal<Option<&'static str>>,
    /// Bumped by every open and cancel, so a slow demo download cannot start a stale load.
    epoch: RwSignal<u64>,
    /// The filter over the shown file.
    pub filter: filter::FilterState,
}

impl AppState {
    fn new() -> Self {
        let client = StoredValue::new_local(WorkerClient::new(pool_size()));
        Self {
            client,
            filter: filter::FilterState::new(client),
            api: Api::new(),
            load: RwSignal::new(None),
            loaded: RwSignal::new(None),
            overview: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            locked: RwSignal::new_local(None),
            key: RwSignal::new(None),
            demo_passphrase: RwSignal::new(None),
            epoch: RwSignal::new(0),
        }
    }

    /// The worker pool (a cheap handle).
    pub fn client(&self) -> WorkerClient {
        self.client.get_value()
    }

    fn next_epoch(&self) -> u64 {
        self.epoch.update(|e| *e += 1);
        self.epoch.get_untracked()
    }

    fn fail(&self, title: &str, message: String, location: Option<Location>) {
        self.error.set(Some(ErrorInfo {
            title: title.to_string(),
            message,
            location,
        }));
    }
}

/// Makes the page's state available to components below.
pub fn provide_app_state() -> AppState {
    let state = AppState::new();
    provide_context(state);
    state
}

/// The page's state, inside [`App`].
pub fn use_app_state() -> AppState {
    use_context::<AppState>().expect("AppState is provided by App")
}

/// Opens the chosen files. A Crypt4GH secret key among them (recognised by its text, never by
/// its name) becomes the key for decrypting; `.tbi` / `.csi` files (recognised by name, never
/// read here) are indexes; of the others the largest is the data file, opened with the index
/// named after it.
pub fn open_files(state: AppState, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    let epoch = state.next_epoch();
    wasm_bindgen_futures::spawn_local(async move {
        let mut data = Vec::new();
        let mut indexes = Vec::new();
        let mut secret_keys = Vec::new();
        let mut public_keys = Vec::new();
        for file in files {
            if is_index_name(&file.name()) {
                indexes.push(file);
                continue;
            }
            match unlock::sniff_key_file(&file).await {
                unlock::KeyFile::Secret(text) => secret_keys.push((file.name(), text)),
                unlock::KeyFile::Public => public_keys.push(file.name()),
                unlock::KeyFile::NotAKey => data.push(file),
            }
        }
        if state.epoch.get_untracked() != epoch {
            return; // another open or a cancel came first
        }
        let mut remarks = Vec::new();
        // Of several secret keys the last one picked counts.
        let ignored_keys = secret_keys.len().saturating_sub(1);
        if let Some((name, text)) = secret_keys.pop() {
            remarks.push(format!(
                "Secret key “{name}” chosen for decrypting; it stays on this page."
            ));
            unlock::choose_key(state, name, text);
        }
        if ignored_keys > 0 {
            remarks.push(format!("{ignored_keys} other secret key file(s) ignored."));
        }
        for name in public_keys {
            remarks.push(format!(
                "“{name}” is a public key: decrypting needs the secret key (.sec)."
            ));
        }
        let chosen = data
            .iter()
            .max_by(|a, b| a.size().total_cmp(&b.size()))
            .cloned();
        if let Some(file) = &chosen
            && data.len() > 1
        {
            remarks.push(format!(
                "Opened “{}”; {} other file(s) set aside: one data file opens at a time.",
                file.name(),
                data.len() - 1
            ));
        }
        let index_names: Vec<String> = indexes.iter().map(File::name).collect();
        let matched = chosen
            .as_ref()
            .and_then(|file| index_for(&file.name(), &index_names));
        for (k, name) in index_names.iter().enumerate() {
            if Some(k) == matched {
                continue;
            }
            remarks.push(match &chosen {
                Some(file) if index_for(&file.name(), std::slice::from_ref(name)).is_some() => {
                    format!(
                        "“{name}” also fits “{}”; only one index is used.",
                        file.name()
                    )
                }
                Some(file) => format!(
                    "“{name}” is not the index of “{}” (an index is named after its file: \
                     {0} goes with {0}.tbi or {0}.csi), so it was not used.",
                    file.name()
                ),
                None => format!(
                    "“{name}” is an index: pick it together with its data file (the file it is \
                     named after)."
                ),
            });
        }
        state
            .notice
            .set((!remarks.is_empty()).then(|| remarks.join(" ")));
        if let Some(file) = chosen {
            state.demo_passphrase.set(None);
            let name = file.name();
            let index = matched.map(|k| IndexFile {
                blob: indexes[k].clone().into(),
                name: index_names[k].clone(),
            });
            open_blob(state, file.into(), name, index);
        }
    });
}

/// Whether a file name is an index's: `.tbi` or `.csi`, in any case.
pub fn is_index_name(name: &str) -> bool {
    index_base(name).is_some()
}

/// The data file name an index name is made from: `X.vcf.gz.tbi` → `X.vcf.gz`.
fn index_base(name: &str) -> Option<&str> {
    let (base, extension) = name.rsplit_once('.')?;
    (extension.eq_ignore_ascii_case("tbi") || extension.eq_ignore_ascii_case("csi")).then_some(base)
}

/// Which of `indexes` (file names) belongs to data file `data`: `X.vcf.gz` ↔ `X.vcf.gz.tbi` /
/// `X.vcf.gz.csi`; an encrypted `X.vcf.gz.c4gh` ↔ its plaintext's `X.vcf.gz.csi` too.
pub fn index_for(data: &str, indexes: &[String]) -> Option<usize> {
    let plain = data.strip_suffix(".c4gh");
    indexes
        .iter()
        .position(|name| index_base(name).is_some_and(|base| base == data || Some(base) == plain))
}

/// Opens a bundled demo by name: fetched from this site, then read exactly like a user's file.
/// An encrypted demo also fetches its public demo key, which the key panel then offers.
pub fn open_demo(state: AppState, name: String) {
    let epoch = state.next_epoch();
    state.client().cancel();
    state.notice.set(None);
    let demo = match api::demo(&name) {
        Ok(demo) => *demo,
        Err(message) => {
            state.load.set(None);
            state.fail("Could not fetch the demo", message, None);
            return;
        }
    };
    state.load.set(Some(LoadProgress {
        job: 0,
        name: format!("demo “{name}”"),
        done: 0,
        total: 0,
    }));
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = async {
            let blob = state.api.fetch_demo_file(demo.path).await?;
            let key = match demo.key {
                Some(key) => {
                    let file = state.api.fetch_demo_file(key.path).await?;
                    Some((key, unlock::blob_text(&file).await?))
                }
                None => None,
            };
            Ok::<_, String>((blob, key))
        }
        .await;
        if state.epoch.get_untracked() != epoch {
            return; // cancelled or superseded meanwhile
        }
        match fetched {
            Ok((blob, key)) => {
                state
                    .demo_passphrase
                    .set(key.as_ref().map(|(k, _)| k.passphrase));
                if let Some((key, text)) = key {
                    let file_name = key.path.rsplit('/').next().unwrap_or(key.path);
                    unlock::choose_key(state, format!("{file_name} (demo key)"), text);
                }
                open_blob(state, blob, format!("{name} (demo)"), None);
            }
            Err(message) => {
                state.load.set(None);
                state.fail("Could not fetch the demo", message, None);
            }
        }
    });
}

/// Sends a file (and its index) to a fresh worker and follows its events. An encrypted file
/// comes back as `KeyRequired` and waits in [`AppState::locked`] for the key panel.
pub fn open_blob(state: AppState, blob: Blob, name: String, index: Option<IndexFile>) {
    state.locked.set(None);
    start_open(state, blob, name, None, index);
}

/// Opens `blob` in a fresh worker, with the key that decrypts it when there is one.
fn start_open(
    state: AppState,
    blob: Blob,
    name: String,
    key: Option<KeyMaterial>,
    index: Option<IndexFile>,
) {
    state.next_epoch();
    let decrypting = key.is_some();
    let salt = match api::salt() {
        Ok(salt) => salt,
        Err(message) => {
            state.load.set(None);
            state.fail("Could not open the file", message, None);
            return;
        }
    };
    let size_bytes = blob.size() as u64;
    state.overview.set(None);
    state.load.set(Some(LoadProgress {
        job: 0,
        name: name.clone(),
        done: 0,
        total: size_bytes,
    }));
    let file_name = name.clone();
    let locked_blob = blob.clone();
    let index_name = index.as_ref().map(|i| i.name.clone()).unwrap_or_default();
    let locked_index = index.clone();
    // The schema arrives just before `Loaded`.
    let mut schema = None::<FilterSchema>;
    // Why the index was not used: it stays in the banner once the file is loaded.
    let mut index_problem = None::<String>;
    let job = state.client().open(
        blob,
        index.map(|i| (i.blob, i.name)),
        salt,
        name,
        key,
        memory_budget(),
        move |event| match event {
            Event::Schema { schema: s, .. } => schema = Some(s),
            Event::Overview { overview, .. } => state
                .overview
                .set(Some(overview::chart(&overview, &index_name))),
            Event::IndexRejected { message, .. } => {
                state.fail("Could not use the index", message.clone(), None);
                index_problem = Some(message);
            }
            Event::Progress { job, done, total } => state.load.update(|load| {
                if let Some(load) = load.as_mut().filter(|l| l.job == job) {
                    load.done = done;
                    load.total = total.unwrap_or(load.total);
                }
            }),
            Event::KeyRequired { .. } => {
                state.load.set(None);
                state.error.set(None);
                state.locked.set(Some(LockedFile {
                    blob: locked_blob.clone(),
                    name: file_name.clone(),
                    index: locked_index.clone(),
                }));
                unlock::unlock_without_passphrase(state);
            }
            Event::Loaded {
                summary,
                info_keys,
                format_keys,
                fingerprint,
                format,
                millis,
                annotation,
                ..
            } => show(
                state,
                LoadedFile {
                    name: file_name.clone(),
                    size_bytes,
                    summary,
                    info_keys,
                    format_keys,
                    fingerprint,
                    format,
                    millis,
                    schema: schema.take().unwrap_or_default(),
                    annotation,
                    streaming: None,
                    workers: state.client().shards(),
                },
                index_problem.take(),
            ),
            Event::StreamingMode {
                estimate,
                budget,
                indexed,
                summary,
                info_keys,
                format_keys,
                fingerprint,
                format,
                millis,
                annotation,
                ..
            } => show(
                state,
                LoadedFile {
                    name: file_name.clone(),
                    size_bytes,
                    summary,
                    info_keys,
                    format_keys,
                    fingerprint,
                    format,
                    millis,
                    schema: schema.take().unwrap_or_default(),
                    annotation,
                    streaming: Some(Streaming {
                        estimate,
                        budget,
                        indexed,
                    }),
                    workers: 1,
                },
                index_problem.take(),
            ),
            Event::Failed {
                message, location, ..
            } => {
                state.load.set(None);
                state.overview.set(None);
                let title = if decrypting {
                    "Could not decrypt the file"
                } else {
                    "Could not open the file"
                };
                state.fail(title, message, location);
            }
            Event::Ready { .. }
            | Event::Shards { .. }
            | Event::Keys { .. }
            | Event::Rows { .. }
            | Event::Filtered { .. }
            | Event::FilterRejected { .. } => {}
        },
    );
    state.load.update(|load| {
        if let Some(load) = load.as_mut().filter(|l| l.job == 0) {
            load.job = job;
        }
    });
}

/// A file is loaded (or open in streaming mode): show it, and send its descriptor.
fn show(state: AppState, file: LoadedFile, index_problem: Option<String>) {
    let descriptor = DatasetDescriptor {
        format: file.format.clone(),
        size_bytes: file.size_bytes,
        record_count: file.summary.records,
        sample_count: file.summary.samples.len() as u32,
        contig_count: file.summary.contigs.len() as u32,
        reference_build: DatasetDescriptor::reference_build(
            file.summary.reference_build.as_deref(),
        ),
        fingerprint: file.fingerprint.clone(),
    };
    state.load.set(None);
    // An index that could not be used stays said; the file itself is fine.
    match index_problem {
        Some(message) => state.fail("Could not use the index", message, None),
        None => state.error.set(None),
    }
    // The key has done its work: the page forgets it.
    state.locked.set(None);
    state.key.set(None);
    state.demo_passphrase.set(None);
    state.filter.reset(file.streaming.is_some());
    state.loaded.set(Some(Arc::new(file)));
    // The outcome shows in the egress log; a metadata failure does not stop the page.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = state.api.post_descriptor(&descriptor).await;
    });
}

/// The worker's memory budget from `?memory-budget=MB` (a setting, not file content), in bytes;
/// `None` for the worker's default.
/// Workers a load may use: `?workers=N` (1–64), else the browser's `hardwareConcurrency`, at
/// most [`worker_client::MAX_WORKERS`].
fn pool_size() -> u32 {
    if let Some(n) = query_param("workers").and_then(|v| v.parse::<u32>().ok()) {
        return n.clamp(1, 64);
    }
    let cores = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"navigator".into()).ok())
        .and_then(|n| js_sys::Reflect::get(&n, &"hardwareConcurrency".into()).ok())
        .and_then(|c| c.as_f64())
        .unwrap_or(1.0);
    (cores as u32).clamp(1, worker_client::MAX_WORKERS)
}

fn memory_budget() -> Option<u64> {
    let mb: f64 = query_param("memory-budget")?.parse().ok()?;
    (mb.is_finite() && mb > 0.0).then_some((mb * 1e6) as u64)
}

/// Stops the load in progress; the file shown before stays.
pub fn cancel(state: AppState) {
    state.next_epoch();
    state.client().cancel();
    if state.load.get_untracked().is_some() {
        state.load.set(None);
        // The overview was of the file whose load stopped.
        state.overview.set(None);
        state.notice.set(Some("Loading was cancelled.".into()));
    }
}

/// Mounts the app on `document.body`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    state.client().set_on_lost(move |message| {
        state.loaded.set(None);
        state.fail("The loaded file was lost", message, None);
    });

    // Drag and drop anywhere on the page.
    let dragging = RwSignal::new(false);
    let on_dragover = window_event_listener(leptos::ev::dragover, move |event| {
        event.prevent_default();
        dragging.set(true);
    });
    let on_dragleave = window_event_listener(leptos::ev::dragleave, move |event| {
        // Leaving the window has no related target.
        if event.related_target().is_none() {
            dragging.set(false);
        }
    });
    let on_drop = window_event_listener(leptos::ev::drop, move |event| {
        event.prevent_default();
        dragging.set(false);
        let files = event
            .data_transfer()
            .and_then(|d| d.files())
            .map(file_list)
            .unwrap_or_default();
        open_files(state, files);
    });
    on_cleanup(move || {
        on_dragover.remove();
        on_dragleave.remove();
        on_drop.remove();
    });

    // `/?demo=NAME` opens a bundled demo on start.
    if let Some(name) = query_param("demo") {
        open_demo(state, name);
    }

    view! {
        <div class="app" class:dragging=move || dragging.get()>
            <header class="masthead">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>"Enclave"</h1>
                    <span class="tagline">"private genome explorer"</span>
                </div>
                <p class="privacy">
                    "Your files are read in this browser only: nothing of their content is ever sent."
                </p>
            </header>
            <main>
                <open::OpenPanel />
                <unlock::UnlockPanel />
                <ErrorBanner />
                <Notice />
                <overview::OverviewPanel />
                {move || {
                    state
                        .loaded
                        .get()
                        .map(|file| {
                            view! {
                                <summary::Summary file=file.clone() />
                                <streaming::StreamingPanel file=file.clone() />
                                <filter::FilterPanel file=file.clone() />
                                <region::RegionBox file=file.clone() />
                                <table::VariantTable file=file />
                            }
                        })
                }}
                <egress::EgressLog />
            </main>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop a VCF, bgzipped VCF or BCF file (Crypt4GH-encrypted or not, with its key) to open it here"</p>
            </div>
        </div>
    }
}

/// The failure of the last attempt; it stays until a file loads.
#[component]
fn ErrorBanner() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.error.get().map(|error| {
            let location = error.location.clone().unwrap_or_default();
            view! {
                <div
                    class="banner error"
                    role="alert"
                    data-testid="error-banner"
                    data-line=location.line.map(|v| v.to_string())
                    data-record=location.record.map(|v| v.to_string())
                    data-offset=location.offset.map(|v| v.to_string())
                >
                    <strong>{error.title} ". "</strong>
                    <span class="message">{error.message}</span>
                    <button
                        class="dismiss"
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| state.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}

#[component]
fn Notice() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.notice.get().map(|notice| {
            view! {
                <div class="banner notice" role="status" data-testid="notice">
                    <span class="message">{notice}</span>
                    <button
                        class="dismiss"
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| state.notice.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}

/// The files of a `FileList`.
pub fn file_list(list: web_sys::FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// A query parameter of the page's URL.
fn query_param(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(key)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{index_for, is_index_name};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn indexes_pair_with_their_data_file_by_name() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_index_name("x.vcf.gz.tbi") && is_index_name("X.BCF.CSI"));
        assert!(!is_index_name("x.vcf.gz") && !is_index_name("tbi") && !is_index_name("a.sec"));
        let picked = names(&["other.vcf.gz.tbi", "trio.vcf.gz.csi", "trio.vcf.gz.tbi"]);
        assert_eq!(index_for("trio.vcf.gz", &picked), Some(1));
        assert_eq!(index_for("other.vcf.gz", &picked), Some(0));
        // An encrypted file goes with its plaintext's index.
        assert_eq!(index_for("trio.vcf.gz.c4gh", &picked), Some(1));
        assert_eq!(index_for("trio.bcf", &names(&["trio.bcf.csi"])), Some(0));
        // Names must match whole: no prefixes, no other file's index.
        assert_eq!(index_for("trio.vcf", &picked), None);
        assert_eq!(index_for("rio.vcf.gz", &picked), None);
        assert_eq!(
            index_for("trio.vcf.gz", &names(&["trio.vcf.gz.c4gh.csi"])),
            None
        );
    }
}
