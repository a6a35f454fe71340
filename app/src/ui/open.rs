//! Opening files: the open panel (file input for data, index and key files together, the demo
//! buttons, the load in progress with a progress bar and Cancel), and the [`Opener`] that
//! every way of opening goes through.
//!
//! [`Opener`] (context: [`provide_opener_context`] / [`use_opener`]) runs one opening at a
//! time in a [`Latest`]: picking files (their key files recognised by their text, indexes by
//! name, [`index_for`]), fetching a demo, or decrypting the waiting file with a key
//! ([`Opener::unlock`]). A newer one — or Cancel — aborts the older, which then stops its
//! load. The opening asks [`WorkerClient::open`](crate::worker_client::WorkerClient::open);
//! its notes fill the overview and the progress bar, its answer shows the file, waits for a
//! key (the [`unlock`](super::unlock) panel), or fills the error banner.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use web_sys::{File, HtmlInputElement};
use zeroize::Zeroizing;

use super::family::{Family, use_family};
use super::format::{bytes, group};
use super::keys::{self, KeyFile, KeyStatus};
use super::latest::Latest;
use super::selection::{Selection, use_selection};
use super::state::{
    AppState, IndexFile, IndexOverview, LoadProgress, LoadedFile, PickedFile, memory_budget,
    use_app, use_client,
};
use crate::api::{self, DatasetDescriptor};
use crate::protocol::KeyMaterial;
use crate::worker_client::{CallError, LoadNote, OpenArgs, Opened, WorkerClient};

/// Opens files, one opening at a time. `Copy`: a handle.
#[derive(Clone, Copy)]
pub struct Opener {
    task: Latest,
    app: AppState,
    selection: Selection,
    family: Family,
    client: StoredValue<WorkerClient, LocalStorage>,
}

/// Makes the [`Opener`] available to the components below (inside [`super::App`], after the
/// client, the page's state and the selection).
pub fn provide_opener_context() -> Opener {
    let opener = Opener {
        task: Latest::new(),
        app: use_app(),
        selection: use_selection(),
        family: use_family(),
        client: StoredValue::new_local(use_client()),
    };
    provide_context(opener);
    opener
}

/// The [`Opener`], inside [`super::App`].
pub fn use_opener() -> Opener {
    use_context().expect("the Opener is provided by App")
}

impl Opener {
    /// Opens the chosen files. A Crypt4GH secret key among them (recognised by its text, never
    /// by its name) becomes the key for decrypting; `.tbi` / `.csi` files (recognised by name,
    /// never read here) are indexes; of the others the largest is the data file, opened with
    /// the index named after it.
    pub fn files(self, files: Vec<File>) {
        if !files.is_empty() {
            self.task.run(open_files(self, files));
        }
    }

    /// Opens a bundled demo by name: fetched from this site, then read exactly like a user's
    /// file. An encrypted demo also fetches its public demo key, which the key panel then offers.
    pub fn demo(self, name: String) {
        self.client.get_value().cancel();
        self.app.notice.set(None);
        self.task.run(open_demo(self, name));
    }

    /// Opens the encrypted file waiting for its key again, with the chosen key and
    /// `passphrase` (empty for none), which go to the decrypting worker only.
    pub fn unlock(self, passphrase: Zeroizing<String>) {
        let app = self.app;
        let Some(file) = app.locked.get_untracked() else {
            return;
        };
        let Some(key) = key_material(app, passphrase) else {
            app.fail(
                "Could not decrypt the file",
                "no secret key is chosen: choose your Crypt4GH secret key (.sec) or paste it, then decrypt again"
                    .into(),
                None,
            );
            return;
        };
        self.task.run(open_file(self, file, Some(key)));
    }

    /// Stops the opening in progress; the file shown before stays.
    pub fn cancel(self) {
        self.task.abort();
        self.client.get_value().cancel();
        let app = self.app;
        if app.load.get_untracked().is_some() {
            app.load.set(None);
            // The overview was of the file whose load stopped.
            app.overview.set(None);
            app.notice.set(Some("Loading was cancelled.".into()));
        }
    }

    /// Forgets the waiting encrypted file and its key (stopping a decryption in progress).
    pub fn close_locked(self) {
        self.cancel();
        self.app.locked.set(None);
        self.app.key.set(None);
        self.app.demo_passphrase.set(None);
    }
}

/// The key material for decrypting: the chosen key's text and `passphrase` (an empty one is
/// none). `None` when no key is chosen.
fn key_material(app: AppState, passphrase: Zeroizing<String>) -> Option<KeyMaterial> {
    let key = app.key.get_untracked()?;
    Some(KeyMaterial {
        key_file: key.text().to_string(),
        passphrase: (!passphrase.is_empty()).then(|| passphrase.to_string()),
    })
}

/// Sorts picked files into data, indexes and keys, says what was set aside, and opens the data
/// file.
async fn open_files(o: Opener, files: Vec<File>) {
    let app = o.app;
    let mut data = Vec::new();
    let mut indexes = Vec::new();
    let mut secret_keys = Vec::new();
    let mut public_keys = Vec::new();
    let mut peds = Vec::new();
    for file in files {
        if is_index_name(&file.name()) {
            indexes.push(file);
            continue;
        }
        // A PED file, recognised by its content (issue 14): it stays on this page.
        if let Some(text) = sniff_ped(&file).await {
            peds.push((file.name(), text));
            continue;
        }
        match keys::sniff_key_file(&file).await {
            KeyFile::Secret(text) => secret_keys.push((file.name(), text)),
            KeyFile::Public => public_keys.push(file.name()),
            KeyFile::NotAKey => data.push(file),
        }
    }
    let mut remarks = Vec::new();
    // Of several secret keys the last one picked counts.
    let ignored_keys = secret_keys.len().saturating_sub(1);
    if let Some((name, text)) = secret_keys.pop() {
        remarks.push(format!(
            "Secret key “{name}” chosen for decrypting; it stays on this page."
        ));
        app.choose_key(name, text);
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
    // Of several PED files the last one picked counts.
    if peds.len() > 1 {
        remarks.push(format!("{} other PED file(s) ignored.", peds.len() - 1));
    }
    if let Some((name, text)) = peds.pop() {
        if chosen.is_some() {
            remarks.push(format!(
                "Pedigree “{name}” will be used with the file; it stays on this page."
            ));
            o.family.pending.set(Some((name, text)));
        } else if app.loaded.with_untracked(Option::is_some) {
            o.family.apply_ped(name, text);
        } else {
            remarks.push(format!(
                "“{name}” is a pedigree (PED): pick it together with its data file."
            ));
        }
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
    app.notice
        .set((!remarks.is_empty()).then(|| remarks.join(" ")));
    if let Some(file) = chosen {
        app.demo_passphrase.set(None);
        app.locked.set(None);
        let index = matched.map(|k| IndexFile {
            blob: indexes[k].clone().into(),
            name: index_names[k].clone(),
        });
        let picked = PickedFile {
            name: file.name(),
            blob: file.into(),
            index,
        };
        open_file(o, picked, None).await;
    }
}

/// Fetches a demo (and an encrypted demo's key) from this site, then opens it.
async fn open_demo(o: Opener, name: String) {
    let app = o.app;
    let demo = match api::demo(&name) {
        Ok(demo) => *demo,
        Err(message) => {
            app.load.set(None);
            app.fail("Could not fetch the demo", message, None);
            return;
        }
    };
    app.load.set(Some(LoadProgress {
        name: format!("demo “{name}”"),
        done: 0,
        total: 0,
    }));
    let fetched = async {
        let blob = app.api.fetch_demo_file(demo.path).await?;
        let key = match demo.key {
            Some(key) => {
                let file = app.api.fetch_demo_file(key.path).await?;
                Some((key, keys::blob_text(&file).await?))
            }
            None => None,
        };
        if let Some(path) = demo.ped {
            let file = app.api.fetch_demo_file(path).await?;
            let text = keys::blob_text(&file).await?;
            let name = path.rsplit('/').next().unwrap_or(path).to_string();
            o.family.pending.set(Some((name, text.to_string())));
        }
        Ok::<_, String>((blob, key))
    }
    .await;
    match fetched {
        Ok((blob, key)) => {
            app.demo_passphrase
                .set(key.as_ref().map(|(k, _)| k.passphrase));
            if let Some((key, text)) = key {
                let file_name = key.path.rsplit('/').next().unwrap_or(key.path);
                app.choose_key(format!("{file_name} (demo key)"), text);
            }
            app.locked.set(None);
            let picked = PickedFile {
                blob,
                name: format!("{name} (demo)"),
                index: None,
            };
            open_file(o, picked, None).await;
        }
        Err(message) => {
            app.load.set(None);
            app.fail("Could not fetch the demo", message, None);
        }
    }
}

/// Opens `file` in fresh workers, with the key that decrypts it when there is one. An
/// encrypted file without a key waits in [`AppState::locked`] for the key panel — or, when the
/// chosen key needs no passphrase, is opened again with it at once.
async fn open_file(o: Opener, file: PickedFile, mut key: Option<KeyMaterial>) {
    let app = o.app;
    loop {
        let decrypting = key.is_some();
        let salt = match api::salt() {
            Ok(salt) => salt,
            Err(message) => {
                app.load.set(None);
                app.fail("Could not open the file", message, None);
                return;
            }
        };
        let size_bytes = file.blob.size() as u64;
        app.overview.set(None);
        app.load.set(Some(LoadProgress {
            name: file.name.clone(),
            done: 0,
            total: size_bytes,
        }));
        // Why the index was not used: it stays in the banner once the file is loaded.
        let index_problem = Rc::new(RefCell::new(None::<String>));
        let notes = {
            let index_problem = index_problem.clone();
            let index_name = file
                .index
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default();
            move |note| match note {
                LoadNote::Overview(overview) => app.overview.set(Some(IndexOverview {
                    overview,
                    index_name: index_name.clone(),
                })),
                LoadNote::IndexRejected(message) => {
                    app.fail("Could not use the index", message.clone(), None);
                    *index_problem.borrow_mut() = Some(message);
                }
                LoadNote::Progress { done, total } => app.load.update(|load| {
                    if let Some(load) = load {
                        load.done = done;
                        load.total = total.unwrap_or(load.total);
                    }
                }),
            }
        };
        let args = OpenArgs {
            file: file.blob.clone(),
            index: file.index.clone().map(|i| (i.blob, i.name)),
            salt,
            name: file.name.clone(),
            key: key.take(),
            memory_budget: memory_budget(),
        };
        let opened = o.client.get_value().open(args, notes).await;
        match opened {
            Ok(Opened::Loaded { loaded, workers }) => {
                let shown = LoadedFile {
                    name: file.name,
                    size_bytes,
                    workers,
                    loaded: *loaded,
                };
                return show(o, shown, index_problem.take());
            }
            Ok(Opened::KeyRequired) => {
                app.load.set(None);
                app.error.set(None);
                app.locked.set(Some(file.clone()));
                // A key that needs no passphrase: nothing to ask.
                key = passphrase_free_key(app);
                if key.is_none() {
                    return;
                }
            }
            Err(CallError::Dropped) => return,
            Err(e) => {
                app.load.set(None);
                app.overview.set(None);
                let title = if decrypting {
                    "Could not decrypt the file"
                } else {
                    "Could not open the file"
                };
                let (message, location) = match e {
                    CallError::Failed { message, location } => (message, location),
                    other => (other.to_string(), None),
                };
                return app.fail(title, message, location);
            }
        }
    }
}

/// The chosen key's material when it needs no passphrase.
fn passphrase_free_key(app: AppState) -> Option<KeyMaterial> {
    let ready = app.key.with_untracked(|key| {
        matches!(
            key.as_deref().map(|k| &k.status),
            Some(KeyStatus::Usable {
                needs_passphrase: false,
                ..
            })
        )
    });
    ready
        .then(|| key_material(app, Zeroizing::new(String::new())))
        .flatten()
}

/// A file is open (loaded or in streaming mode): show it, and send its descriptor.
fn show(o: Opener, file: LoadedFile, index_problem: Option<String>) {
    let app = o.app;
    let s = &file.loaded.summary;
    let descriptor = DatasetDescriptor {
        format: file.loaded.format().to_string(),
        size_bytes: file.size_bytes,
        record_count: s.records,
        sample_count: s.samples.len() as u32,
        contig_count: s.contigs.len() as u32,
        reference_build: DatasetDescriptor::reference_build(s.reference_build.as_deref()),
        fingerprint: file.loaded.fingerprint.clone(),
    };
    app.load.set(None);
    // An index that could not be used stays said; the file itself is fine.
    match index_problem {
        Some(message) => app.fail("Could not use the index", message, None),
        None => app.error.set(None),
    }
    // The key has done its work: the page forgets it.
    app.locked.set(None);
    app.key.set(None);
    app.demo_passphrase.set(None);
    o.selection.reset(file.loaded.streaming.is_some());
    app.loaded.set(Some(Arc::new(file)));
    // After the selection's reset: the pedigree's modes re-apply the filter.
    o.family.file_shown();
    // The outcome shows in the egress log; a metadata failure does not stop the page.
    leptos::task::spawn_local(async move {
        let _ = app.api.post_descriptor(&descriptor).await;
    });
}

/// Bytes of a picked file read to decide whether it is a PED.
const PED_SNIFF_BYTES: f64 = 64.0 * 1024.0;
/// Largest PED read (a pedigree of many thousands of people fits).
const MAX_PED_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// The text of `file` when it is a PED file (by its content, never by its name).
async fn sniff_ped(file: &File) -> Option<String> {
    if file.size() > MAX_PED_BYTES {
        return None;
    }
    let head = file.slice_with_f64_and_f64(0.0, PED_SNIFF_BYTES).ok()?;
    let head = wasm_bindgen_futures::JsFuture::from(head.array_buffer())
        .await
        .ok()?;
    let head = js_sys::Uint8Array::new(&head).to_vec();
    if !wasm_core::pedigree::looks_like_ped(&head) {
        return None;
    }
    keys::blob_text(file).await.ok().map(|t| t.to_string())
}

/// The files of a `FileList`.
pub fn file_list(list: web_sys::FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
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

#[component]
pub fn OpenPanel() -> impl IntoView {
    let opener = use_opener();
    let on_change = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        let files = input.files().map(file_list).unwrap_or_default();
        // Cleared so that choosing the same file again opens it again.
        input.set_value("");
        opener.files(files);
    };
    view! {
        <section class="panel open-panel" aria-label="Open a file">
            <div class="open-actions">
                <label class="button primary file-button">
                    <input
                        type="file"
                        multiple=true
                        data-testid="open-file"
                        on:change=on_change
                    />
                    "Open files…"
                </label>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo"
                    on:click=move |_| opener.demo("trio".into())
                >
                    "Open demo: trio"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo-encrypted"
                    on:click=move |_| opener.demo("trio-encrypted".into())
                >
                    "Demo: trio, Crypt4GH-encrypted"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo-family"
                    title="Two small families made up for the demo (no person's data), annotated, with their PED: every inheritance mode has hits"
                    on:click=move |_| opener.demo("family".into())
                >
                    "Demo: families (synthetic)"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo-family-trio"
                    title="The GIAB Ashkenazi trio with a PED coding the son affected and his parents unaffected"
                    on:click=move |_| opener.demo("family-trio".into())
                >
                    "Demo: GIAB trio with its PED"
                </button>
                <p class="hint">
                    "VCF, bgzipped VCF or BCF, optionally Crypt4GH-encrypted (pick your secret key "
                    "with it) and with its .tbi or .csi index — or drop files anywhere on this page. "
                    "The format is recognised from the file's bytes."
                </p>
            </div>
            <LoadStatus />
        </section>
    }
}

/// The load in progress: bytes done of total, and Cancel.
///
/// The frame renders once per load; only the numbers follow progress, so the Cancel button is
/// never replaced under the pointer.
#[component]
fn LoadStatus() -> impl IntoView {
    let state = use_app();
    let opener = use_opener();
    let active = Memo::new(move |_| state.load.with(Option::is_some));
    let done = move || state.load.with(|l| l.as_ref().map_or(0, |l| l.done));
    let total = move || state.load.with(|l| l.as_ref().map_or(0, |l| l.total));
    let name = move || {
        state
            .load
            .with(|l| l.as_ref().map(|l| l.name.clone()).unwrap_or_default())
    };
    let known = move || total() > 0;
    view! {
        <Show when=move || active.get()>
            <div class="load-status" role="status" aria-live="polite">
                <div class="load-line">
                    <span class="load-name">"Reading “" {name} "”"</span>
                    <span class="load-bytes" data-testid="progress-text">
                        <span class="num" data-value=move || done().to_string()>
                            {move || bytes(done())}
                        </span>
                        " of "
                        <span class="num" data-value=move || known().then(|| total().to_string())>
                            {move || if known() { bytes(total()) } else { "unknown size".into() }}
                        </span>
                        {move || {
                            known()
                                .then(|| {
                                    format!(" ({:.0} %)", (done() as f64 / total() as f64 * 100.0).min(100.0))
                                })
                        }}
                    </span>
                    <button
                        type="button"
                        class="button danger"
                        data-testid="cancel"
                        on:click=move |_| opener.cancel()
                    >
                        "Cancel"
                    </button>
                </div>
                <progress
                    data-testid="progress"
                    value=move || known().then(|| done().to_string())
                    max=move || known().then(|| total().to_string())
                    data-value=move || done().to_string()
                    aria-label=move || format!("{} bytes read of {}", group(done()), group(total()))
                ></progress>
            </div>
        </Show>
    }
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
