//! The export control (`export`): the records the filter and modes in force keep, downloaded as
//! VCF (`export-vcf`: the file's header, `##enclave_*` lines naming the expression, regions,
//! genes and modes, the records), TSV (`export-tsv`: the table's columns) or JSON
//! (`export-json`), written by the workers over their own records in file order
//! ([`crate::worker_client::WorkerClient::export`], the engine's `export::document`, which
//! `enclave export` prints too) and offered through a `blob:` URL made on this page. A whole
//! genome shows a progress bar (`export-progress`, records written) and a cancel
//! (`export-cancel`, which abandons the parts). Nothing is sent.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::export::document::Selected;

use super::family::try_use_family;
use super::latest::Latest;
use super::selection::use_selection;
use super::state::{LoadedFile, use_client};
use crate::protocol::ExportFormat;
use crate::worker_client::{CallError, ExportArgs};
use wasm_core::filter::Mode;

/// The file's name without its data extensions, for the download's name.
fn stem(name: &str) -> &str {
    let mut stem = name;
    for ext in [".c4gh", ".gz", ".bgz", ".vcf", ".bcf"] {
        stem = stem.strip_suffix(ext).unwrap_or(stem);
    }
    stem
}

#[component]
pub fn ExportControl(file: Arc<LoadedFile>) -> impl IntoView {
    let client = use_client();
    let selection = use_selection();
    let family = try_use_family();
    let task = Latest::new();
    let progress = RwSignal::new(None::<(u64, u64)>);
    let status = RwSignal::new(None::<Result<(String, u64), String>>);
    let streaming = file.loaded.streaming.is_some();
    let start = move |format: ExportFormat| {
        let client = client.clone();
        let file = file.clone();
        let text = |s: RwSignal<String>| s.get_untracked();
        let filtered = selection.report.with_untracked(Option::is_some);
        let selected = Selected {
            expression: if filtered {
                text(selection.draft)
            } else {
                String::new()
            },
            exclude: filtered && selection.mode.get_untracked() == Mode::Exclude,
            regions: if filtered {
                text(selection.regions)
            } else {
                String::new()
            },
            genes: if filtered {
                text(selection.genes)
            } else {
                String::new()
            },
            modes: family
                .filter(|f| f.info.with_untracked(Option::is_some))
                .map(|f| {
                    f.modes
                        .get_untracked()
                        .iter()
                        .map(|m| m.name().to_string())
                        .collect()
                })
                .unwrap_or_default(),
        };
        let args = ExportArgs {
            format,
            info_keys: file.loaded.columns.info_keys.clone(),
            format_keys: file.loaded.columns.format_keys.clone(),
            selected,
        };
        status.set(None);
        progress.set(Some((0, 0)));
        task.run(async move {
            let outcome = client
                .export(args, move |done, total| progress.set(Some((done, total))))
                .await;
            progress.set(None);
            match outcome {
                Ok(exported) => {
                    let name = format!("{}.enclave.{}", stem(&file.name), format.extension());
                    let parts: Vec<&[u8]> = exported.parts.iter().map(Vec::as_slice).collect();
                    super::download::offer(&name, &parts, format.mime());
                    status.set(Some(Ok((name, exported.records))));
                }
                Err(CallError::Dropped) => {}
                Err(e) => status.set(Some(Err(e.to_string()))),
            }
        });
    };
    let (vcf, tsv, json) = (start.clone(), start.clone(), start);
    let cancel = move |_| {
        task.abort();
        progress.set(None);
        status.set(Some(Err("export cancelled".into())));
    };
    view! {
        <div class="export" data-testid="export" role="group" aria-label="Export the records shown">
            <span class="label">"Export the records shown: "</span>
            <button type="button" class="button small" data-testid="export-vcf" disabled=streaming
                on:click=move |_| vcf(ExportFormat::Vcf)>"VCF"</button>
            <button type="button" class="button small" data-testid="export-tsv" disabled=streaming
                on:click=move |_| tsv(ExportFormat::Tsv)>"TSV"</button>
            <button type="button" class="button small" data-testid="export-json" disabled=streaming
                on:click=move |_| json(ExportFormat::Json)>"JSON"</button>
            {streaming.then(|| view! { <span class="hint">" (not in streaming mode: the file is not held)"</span> })}
            {move || progress.get().map(|(done, total)| view! {
                <progress data-testid="export-progress" max=total.max(1).to_string() value=done.to_string()
                    data-value=done.to_string()></progress>
                <button type="button" class="button small" data-testid="export-cancel" on:click=cancel>"Cancel"</button>
            })}
            {move || status.get().map(|s| match s {
                Ok((name, records)) => view! {
                    <span role="status" data-testid="export-status" data-value=records.to_string()>
                        {format!(" {name}: {records} records")}
                    </span>
                }.into_any(),
                Err(m) => view! { <span class="error" role="alert" data-testid="export-error">{m}</span> }.into_any(),
            })}
        </div>
    }
}
