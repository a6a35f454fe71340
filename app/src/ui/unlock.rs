//! The key panel: opening a Crypt4GH-encrypted file.
//!
//! The worker answers an encrypted file opened without a key with `KeyRequired`; the page keeps
//! the file's handle ([`AppState::locked`](super::state::AppState::locked)) and [`UnlockPanel`] asks for the secret key — a
//! `.sec` file picked here or together with the data file (recognised by its text:
//! `-----BEGIN … PRIVATE KEY-----`, [`super::keys`]), or pasted — and its passphrase, and says
//! whether the chosen key needs one; nothing is decrypted here.
//!
//! The passphrase lives only in its `<input>` until Decrypt: it is read, the input is cleared at
//! once, and it goes with the key's text to the decrypting worker
//! ([`Opener::unlock`](super::open::Opener::unlock)) in a `KeyMaterial` (zeroized on drop), never
//! to the server, to storage or into the URL. The key's text stays on the page
//! (in a [`ChosenKey`], zeroized on drop) until a file loads or the panel is closed, so a wrong
//! passphrase can be retried without choosing anything again.

use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use zeroize::Zeroizing;

use super::keys::{ChosenKey, KEY_FILE_MAX_BYTES, KeyStatus, blob_text};
use super::open::{file_list, use_opener};
use super::state::use_app;

/// Asks for the key and passphrase of the encrypted file waiting in [`AppState::locked`].
#[component]
pub fn UnlockPanel() -> impl IntoView {
    let state = use_app();
    let shown = Memo::new(move |_| state.locked.with(Option::is_some));
    view! {
        <Show when=move || shown.get()>
            <KeyPanel />
        </Show>
    }
}

#[component]
fn KeyPanel() -> impl IntoView {
    let state = use_app();
    let opener = use_opener();
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
        opener.unlock(passphrase);
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
        leptos::task::spawn_local(async move {
            match blob_text(&file).await {
                Ok(text) => state.choose_key(file.name(), text),
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
            state.choose_key(PASTED.into(), text);
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
                    on:click=move |_| opener.close_locked()
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
    let state = use_app();
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
