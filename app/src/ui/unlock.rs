//! The key panel: opening a Crypt4GH-encrypted file.
//!
//! The worker answers an encrypted file opened without a key with `KeyRequired`; the page keeps
//! the file's handle ([`super::LockedFile`]) and [`UnlockPanel`] asks for the secret key — a
//! `.sec` file picked here or together with the data file (recognised by its text:
//! `-----BEGIN … PRIVATE KEY-----`), or pasted — and its passphrase. [`SecretKey::inspect`] tells
//! on the page whether the key needs a passphrase; nothing is decrypted here.
//!
//! The passphrase lives only in its `<input>` until Decrypt: it is read, the input is cleared at
//! once, and it goes with the key's text to the decrypting worker in a [`KeyMaterial`] (zeroized
//! on drop), never to the server, to storage or into the URL. The key's text stays on the page
//! (in a [`ChosenKey`], zeroized on drop) until a file loads or the panel is closed, so a wrong
//! passphrase can be retried without choosing anything again.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlInputElement, HtmlTextAreaElement};
use zeroize::Zeroizing;

use super::{AppState, file_list, use_app_state};
use crate::api::js_message;
use crate::protocol::KeyMaterial;
use wasm_core::crypt4gh::SecretKey;

/// Files larger than this are never read as key files (a Crypt4GH `.sec` is about 300 bytes).
const KEY_FILE_MAX_BYTES: f64 = 64.0 * 1024.0;
/// Bytes read to see whether a picked file starts with key armor (`-----BEGIN`).
const ARMOR_SNIFF_BYTES: i32 = 64;

/// A secret key chosen on this page. The text is zeroized when the last handle is dropped.
pub struct ChosenKey {
    /// Where it came from: a file name, "pasted key" or the demo key. Shown here only.
    pub name: String,
    text: Zeroizing<String>,
    pub status: KeyStatus,
}

impl std::fmt::Debug for ChosenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChosenKey")
            .field("name", &self.name)
            .field("text", &"<redacted>")
            .field("status", &self.status)
            .finish()
    }
}

/// What [`SecretKey::inspect`] says about a chosen key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// A Crypt4GH secret key file.
    Usable {
        needs_passphrase: bool,
        /// The key-derivation function (`scrypt`, `bcrypt`, … or `none`).
        kdf: String,
        comment: Option<String>,
    },
    /// Not a usable key file; the engine's message says why.
    Unusable(String),
}

/// What a small file turned out to be.
pub enum KeyFile {
    /// A private key (Crypt4GH, or another kind the worker will name), with its text.
    Secret(Zeroizing<String>),
    /// A public key: it cannot decrypt.
    Public,
    NotAKey,
}

/// Whether `text` is key armor: `-----BEGIN` and `PRIVATE KEY` (or `PUBLIC KEY`).
pub fn classify(text: Zeroizing<String>) -> KeyFile {
    if !text.contains("-----BEGIN") {
        KeyFile::NotAKey
    } else if text.contains("PRIVATE KEY") {
        KeyFile::Secret(text)
    } else if text.contains("PUBLIC KEY") {
        KeyFile::Public
    } else {
        KeyFile::NotAKey
    }
}

/// Whether a picked file is a key file. Only its first bytes are looked at on the page unless
/// they start key armor, so a data file's content is never read here; large files are data.
pub async fn sniff_key_file(file: &Blob) -> KeyFile {
    if file.size() > KEY_FILE_MAX_BYTES {
        return KeyFile::NotAKey;
    }
    let starts_armor = match file.slice_with_i32_and_i32(0, ARMOR_SNIFF_BYTES) {
        Ok(head) => blob_text(&head)
            .await
            .is_ok_and(|t| t.trim_start().starts_with("-----BEGIN")),
        Err(_) => false,
    };
    if !starts_armor {
        return KeyFile::NotAKey;
    }
    match blob_text(file).await {
        Ok(text) => classify(text),
        Err(_) => KeyFile::NotAKey,
    }
}

/// A blob's bytes as text (invalid UTF-8 replaced).
pub async fn blob_text(blob: &Blob) -> Result<Zeroizing<String>, String> {
    let text = JsFuture::from(blob.text())
        .await
        .map_err(|e| format!("cannot read the key file: {}", js_message(&e)))?;
    Ok(Zeroizing::new(text.as_string().unwrap_or_default()))
}

/// Makes `text` the key for decrypting, and says what it needs.
pub fn choose_key(state: AppState, name: String, text: Zeroizing<String>) {
    let status = match SecretKey::inspect(text.as_bytes()) {
        Ok(info) => KeyStatus::Usable {
            needs_passphrase: info.needs_passphrase,
            kdf: info.kdf,
            comment: info.comment,
        },
        Err(e) => KeyStatus::Unusable(e.to_string()),
    };
    state
        .key
        .set(Some(Arc::new(ChosenKey { name, text, status })));
}

/// Opens the waiting encrypted file again, with the chosen key and `passphrase` (empty for none).
pub fn unlock(state: AppState, passphrase: Zeroizing<String>) {
    let Some(locked) = state.locked.get_untracked() else {
        return;
    };
    let Some(key) = state.key.get_untracked() else {
        state.fail(
            "Could not decrypt the file",
            "no secret key is chosen: choose your Crypt4GH secret key (.sec) or paste it, then decrypt again"
                .into(),
            None,
        );
        return;
    };
    let material = KeyMaterial {
        key_file: key.text.to_string(),
        passphrase: (!passphrase.is_empty()).then(|| passphrase.to_string()),
    };
    drop(passphrase);
    super::start_open(
        state,
        locked.blob,
        locked.name,
        Some(material),
        locked.index,
    );
}

/// After `KeyRequired`: when the chosen key needs no passphrase there is nothing to ask, so
/// decrypting starts at once (after the current event is handled).
pub fn unlock_without_passphrase(state: AppState) {
    let ready = state.key.with_untracked(|key| {
        matches!(
            key.as_deref().map(|k| &k.status),
            Some(KeyStatus::Usable {
                needs_passphrase: false,
                ..
            })
        )
    });
    if ready {
        wasm_bindgen_futures::spawn_local(async move {
            unlock(state, Zeroizing::new(String::new()));
        });
    }
}

/// Forgets the waiting file and its key (stopping a decryption in progress).
fn close(state: AppState) {
    super::cancel(state);
    state.locked.set(None);
    state.key.set(None);
    state.demo_passphrase.set(None);
}

/// Asks for the key and passphrase of the encrypted file waiting in [`AppState::locked`].
#[component]
pub fn UnlockPanel() -> impl IntoView {
    let state = use_app_state();
    let shown = Memo::new(move |_| state.locked.with(Option::is_some));
    view! {
        <Show when=move || shown.get()>
            <KeyPanel />
        </Show>
    }
}

#[component]
fn KeyPanel() -> impl IntoView {
    let state = use_app_state();
    let passphrase_ref = NodeRef::<leptos::html::Input>::new();
    let paste_ref = NodeRef::<leptos::html::Textarea>::new();
    let name = move || {
        state
            .locked
            .with(|l| l.as_ref().map(|l| l.name.clone()).unwrap_or_default())
    };
    let busy = move || state.load.with(Option::is_some);
    let has_key = move || state.key.with(Option::is_some);
    let submit = move || {
        if busy() {
            return;
        }
        let Some(input) = passphrase_ref.get_untracked() else {
            return;
        };
        let passphrase = Zeroizing::new(input.value());
        // Cleared at once: the passphrase is not kept on the page, whatever the outcome.
        input.set_value("");
        unlock(state, passphrase);
    };
    let on_key_file = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        let files = input.files().map(file_list).unwrap_or_default();
        input.set_value("");
        let Some(file) = files.into_iter().next() else {
            return;
        };
        if file.size() > KEY_FILE_MAX_BYTES {
            state.fail(
                "Could not use the key file",
                format!(
                    "“{}” is too large to be a Crypt4GH secret key file (those are a few hundred bytes)",
                    file.name()
                ),
                None,
            );
            return;
        }
        if let Some(paste) = paste_ref.get_untracked() {
            paste.set_value("");
        }
        wasm_bindgen_futures::spawn_local(async move {
            match blob_text(&file).await {
                Ok(text) => choose_key(state, file.name(), text),
                Err(message) => state.fail("Could not use the key file", message, None),
            }
        });
    };
    let on_paste = move |event: leptos::ev::Event| {
        let area: HtmlTextAreaElement = event_target(&event);
        let text = Zeroizing::new(area.value());
        if text.trim().is_empty() {
            // Emptying the box forgets a pasted key, not a chosen file.
            if state
                .key
                .with_untracked(|k| k.as_ref().is_some_and(|k| k.name == PASTED))
            {
                state.key.set(None);
            }
        } else {
            choose_key(state, PASTED.into(), text);
        }
    };
    view! {
        <section class="panel unlock-panel" data-testid="key-panel" aria-label="Decrypt the file">
            <div class="panel-head">
                <h2>
                    <span class="lock" aria-hidden="true"></span>
                    "“" {name} "” is encrypted (Crypt4GH)"
                </h2>
                <button
                    type="button"
                    class="button small"
                    data-testid="key-panel-close"
                    on:click=move |_| close(state)
                >
                    "Close"
                </button>
            </div>
            <p class="muted small">
                "It is decrypted in this browser, in the app's worker. Your secret key and passphrase "
                "never leave this page, are not stored, and are wiped from the worker once the key is opened."
            </p>
            <div class="key-source">
                <label class="button file-button">
                    <input type="file" data-testid="key-file" on:change=on_key_file />
                    "Choose secret key (.sec)…"
                </label>
                <textarea
                    class="key-paste"
                    data-testid="key-text"
                    rows="3"
                    placeholder="…or paste it here: -----BEGIN CRYPT4GH PRIVATE KEY-----"
                    aria-label="Secret key text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    node_ref=paste_ref
                    on:input=on_paste
                ></textarea>
            </div>
            <KeyStatusLine />
            {move || {
                state
                    .demo_passphrase
                    .get()
                    .map(|p| {
                        view! {
                            <p class="demo-hint" data-testid="demo-passphrase" data-value=p>
                                "This is the public demo key: its passphrase is "
                                <code>{p}</code>
                                ". It protects nothing; never encrypt real data for it."
                            </p>
                        }
                    })
            }}
            <div class="passphrase-line">
                <label for="passphrase-input">"Passphrase"</label>
                // No <form>: nothing here can ever be submitted into a URL.
                <input
                    id="passphrase-input"
                    type="password"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    data-testid="passphrase"
                    node_ref=passphrase_ref
                    on:keydown=move |event| {
                        if event.key() == "Enter" {
                            event.prevent_default();
                            submit();
                        }
                    }
                />
                <button
                    type="button"
                    class="button primary"
                    data-testid="decrypt"
                    disabled=move || busy() || !has_key()
                    on:click=move |_| submit()
                >
                    "Decrypt"
                </button>
            </div>
        </section>
    }
}

/// The name a pasted key goes by.
const PASTED: &str = "pasted key";

/// Which key is chosen and whether it needs a passphrase.
#[component]
fn KeyStatusLine() -> impl IntoView {
    let state = use_app_state();
    move || {
        let key = state.key.get();
        let (value, class, text) = match key.as_deref() {
            None => (
                "none",
                "key-status muted",
                "No secret key yet: choose the .sec file, paste it, or pick it together with the data file."
                    .to_string(),
            ),
            Some(ChosenKey {
                name,
                status:
                    KeyStatus::Usable {
                        needs_passphrase,
                        kdf,
                        comment,
                    },
                ..
            }) => {
                let comment = comment
                    .as_deref()
                    .map(|c| format!(" (“{c}”)"))
                    .unwrap_or_default();
                if *needs_passphrase {
                    (
                        "passphrase",
                        "key-status",
                        format!(
                            "Secret key “{name}”{comment}: protected by a passphrase ({kdf}); enter it below."
                        ),
                    )
                } else {
                    (
                        "no-passphrase",
                        "key-status",
                        format!(
                            "Secret key “{name}”{comment}: not protected by a passphrase; leave the passphrase empty."
                        ),
                    )
                }
            }
            Some(ChosenKey {
                name,
                status: KeyStatus::Unusable(message),
                ..
            }) => (
                "unusable",
                "key-status problem",
                format!("“{name}”: {message}"),
            ),
        };
        view! {
            <p class=class data-testid="key-status" data-value=value>
                {text}
            </p>
        }
    }
}
