//! Exporting and importing the case as a Crypt4GH-encrypted file, in the case panel.
//!
//! Export: the person picks one or more public keys (`case-recipients`) and, optionally, their
//! own secret key to sign as the writer (`case-writer-key`, `case-writer-passphrase`; without
//! it a one-off key is used); a worker seals the case JSON
//! ([`crate::worker_client::WorkerClient::seal_case`]) and the page offers the bytes as
//! `NAME.case.c4gh` through a `blob:` URL (`case-export`). Import: a `.c4gh` case file
//! (`case-import-file`), a secret key (`case-import-key`) and its passphrase
//! (`case-import-passphrase`); a worker decrypts it, the page reads the JSON
//! ([`Case::from_json`]) and checks it is for the shown file ([`Case::check_dataset`]), then
//! it replaces the case (`case-import`). A wrong key or passphrase, a damaged file, another
//! version or another file's case is said in `case-import-error` (its `data-kind`), and the
//! case shown stays as it was. Keys, passphrases and the case go to the worker only.

use std::sync::Arc;

use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_core::case::Case;
use wasm_core::case::file::CaseFileErrorKind;
use zeroize::Zeroizing;

use super::use_case;
use crate::protocol::KeyMaterial;
use crate::ui::family::use_family;
use crate::ui::keys::blob_text;
use crate::ui::selection::use_selection;
use crate::ui::state::{LoadedFile, use_client};

/// The files of a file input.
fn files(input: &NodeRef<Input>) -> Vec<web_sys::File> {
    let Some(list) = input.get_untracked().and_then(|i| i.files()) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|k| list.get(k)).collect()
}

async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("cannot read {}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A secret key file's text and the passphrase typed beside it.
async fn key_material(file: &web_sys::File, passphrase: String) -> Result<KeyMaterial, String> {
    let text: Zeroizing<String> = blob_text(file).await?;
    Ok(KeyMaterial {
        key_file: text.to_string(),
        passphrase: (!passphrase.is_empty()).then_some(passphrase),
    })
}

/// What an import refusal's kind is called in `data-kind`.
fn kind_name(kind: CaseFileErrorKind) -> &'static str {
    match kind {
        CaseFileErrorKind::WrongPassphrase => "wrong-passphrase",
        CaseFileErrorKind::Key => "key",
        CaseFileErrorKind::NotARecipient => "not-a-recipient",
        CaseFileErrorKind::Damaged => "damaged",
        CaseFileErrorKind::Encrypt => "encrypt",
        CaseFileErrorKind::NotACase => "not-a-case",
        CaseFileErrorKind::Version => "version",
        CaseFileErrorKind::OtherDataset => "other-dataset",
        CaseFileErrorKind::TooLarge => "too-large",
    }
}

#[component]
pub fn CaseTransfer(file: Arc<LoadedFile>) -> impl IntoView {
    let cases = use_case();
    let client = use_client();
    let selection = use_selection();
    let family = use_family();
    let recipients = NodeRef::<Input>::new();
    let writer = NodeRef::<Input>::new();
    let writer_passphrase = RwSignal::new(String::new());
    let import_file = NodeRef::<Input>::new();
    let import_key = NodeRef::<Input>::new();
    let import_passphrase = RwSignal::new(String::new());
    let export_status = RwSignal::new(None::<Result<String, String>>);
    let import_status = RwSignal::new(None::<Result<String, (&'static str, String)>>);
    let name = file.name.clone();
    let client_export = client.clone();
    let export = move |_| {
        let client = client_export.clone();
        let name = name.clone();
        let Some(json) = cases.case.with_untracked(|c| c.as_ref().map(Case::to_json)) else {
            return;
        };
        let (keys, own) = (files(&recipients), files(&writer).into_iter().next());
        let passphrase = writer_passphrase.get_untracked();
        export_status.set(Some(Ok("encrypting…".into())));
        leptos::task::spawn_local(async move {
            let outcome = async {
                if keys.is_empty() {
                    return Err(
                        "pick at least one public key (.pub) to encrypt the case for".to_string(),
                    );
                }
                let mut texts = Vec::new();
                for k in &keys {
                    texts.push(blob_text(k).await?.to_string());
                }
                let writer = match own {
                    Some(f) => Some(key_material(&f, passphrase).await?),
                    None => None,
                };
                let bytes = client
                    .seal_case(json, texts, writer)
                    .await
                    .map_err(|e| e.to_string())?;
                let file_name = format!("{name}.case.c4gh");
                crate::ui::download::offer(&file_name, &[&bytes], "application/octet-stream");
                Ok(format!(
                    "{file_name}: the case encrypted for {} key{}",
                    keys.len(),
                    if keys.len() == 1 { "" } else { "s" }
                ))
            }
            .await;
            export_status.set(Some(outcome));
        });
    };
    let shown = (file.loaded.fingerprint.clone(), file.name.clone());
    let import = move |_| {
        let client = client.clone();
        let (fingerprint, shown_name) = shown.clone();
        let (case_file, key) = (
            files(&import_file).into_iter().next(),
            files(&import_key).into_iter().next(),
        );
        let passphrase = import_passphrase.get_untracked();
        import_status.set(None);
        leptos::task::spawn_local(async move {
            let outcome = async {
                let (Some(case_file), Some(key)) = (case_file, key) else {
                    return Err((
                        "missing",
                        "pick the case file (.c4gh) and your secret key (.sec)".to_string(),
                    ));
                };
                let bytes = file_bytes(&case_file).await.map_err(|e| ("read", e))?;
                let key = key_material(&key, passphrase)
                    .await
                    .map_err(|e| ("key", e))?;
                let json = client
                    .open_case(bytes, key)
                    .await
                    .map_err(|e| ("failed", e.to_string()))?
                    .map_err(|(kind, message)| (kind_name(kind), message))?;
                let case = Case::from_json(&json).map_err(|e| (kind_name(e.kind()), e.report()))?;
                case.check_dataset(&fingerprint, &shown_name)
                    .map_err(|e| (kind_name(e.kind()), e.report()))?;
                let (classified, reported) = case.counts();
                cases.replace(case, selection, family);
                Ok(format!(
                    "{}: case imported, {classified} classified, {reported} on the report",
                    case_file.name()
                ))
            }
            .await;
            import_status.set(Some(outcome));
        });
    };
    view! {
        <details class="case-transfer">
            <summary>"Export or import the case (Crypt4GH-encrypted)"</summary>
            <fieldset>
                <legend>"Export"</legend>
                <label>"Encrypt for (public keys, .pub) "
                    <input type="file" multiple data-testid="case-recipients" node_ref=recipients accept=".pub,.txt" />
                </label>
                <label>"Sign with your secret key (optional) "
                    <input type="file" data-testid="case-writer-key" node_ref=writer accept=".sec,.txt" />
                </label>
                <label>"its passphrase "
                    <input type="password" data-testid="case-writer-passphrase" autocomplete="off"
                        on:input=move |ev| writer_passphrase.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="button small" data-testid="case-export" on:click=export>"Export case"</button>
                {move || export_status.get().map(|s| match s {
                    Ok(m) => view! { <p role="status" data-testid="case-export-status">{m}</p> }.into_any(),
                    Err(m) => view! { <p class="error" role="alert" data-testid="case-export-error">{m}</p> }.into_any(),
                })}
            </fieldset>
            <fieldset>
                <legend>"Import"</legend>
                <label>"Case file (.c4gh) "
                    <input type="file" data-testid="case-import-file" node_ref=import_file />
                </label>
                <label>"Your secret key (.sec) "
                    <input type="file" data-testid="case-import-key" node_ref=import_key />
                </label>
                <label>"its passphrase "
                    <input type="password" data-testid="case-import-passphrase" autocomplete="off"
                        on:input=move |ev| import_passphrase.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="button small" data-testid="case-import" on:click=import>"Import case"</button>
                {move || import_status.get().map(|s| match s {
                    Ok(m) => view! { <p role="status" data-testid="case-import-status">{m}</p> }.into_any(),
                    Err((kind, m)) => view! {
                        <p class="error" role="alert" data-testid="case-import-error" data-kind=kind>
                            {m} " The case shown is unchanged."
                        </p>
                    }.into_any(),
                })}
            </fieldset>
        </details>
    }
}
