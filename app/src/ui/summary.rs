//! The loaded file at a glance: counts, format, reference build, samples, contigs (a share bar
//! each, [`Meter`]), load speed and the warnings the engine collected. Shown on this page only.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::formats::{Compression, Payload};

use super::format::{Count, Num, bytes, duration, group, throughput};
use super::plot::Meter;
use super::state::LoadedFile;

/// Contigs listed before "show all".
const CONTIGS_SHOWN: usize = 24;

#[component]
pub fn Summary(file: Arc<LoadedFile>) -> impl IntoView {
    let loaded = &file.loaded;
    let s = &loaded.summary;
    let container = match s.compression {
        Compression::Bgzf => "BGZF-compressed",
        Compression::Gzip => "gzip-compressed",
        Compression::None => "uncompressed",
    };
    let payload = match s.payload {
        Payload::Vcf => "VCF",
        Payload::Bcf => "BCF",
    };
    let version = s
        .file_format
        .strip_prefix("VCFv")
        .unwrap_or(&s.file_format)
        .to_string();
    let file_speed = throughput(s.bytes_read, loaded.millis);
    let text_speed = throughput(s.uncompressed_bytes, loaded.millis);
    let with_records = s.contigs.iter().filter(|c| c.records > 0).count() as u64;
    // Streaming mode: the records are the estimate's, and nothing is held.
    let streaming = loaded.streaming.is_some();
    let estimated = loaded
        .streaming
        .as_ref()
        .is_some_and(|s| !s.estimate.exact_records);
    view! {
        <section class="panel summary" aria-label="Summary of the loaded file">
            <div class="panel-head">
                <div class="title-line">
                <h2 class="file-name" title=file.name.clone()>
                    {file.name.clone()}
                </h2>
                {s.encrypted
                    .then(|| {
                        view! {
                            <span
                                class="badge encrypted"
                                data-testid="encrypted"
                                data-value="true"
                                title="Decrypted in this browser with your secret key"
                            >
                                "Crypt4GH-encrypted · decrypted here"
                            </span>
                        }
                    })}
                </div>
                <span class="muted small">"Shown on this page only"</span>
            </div>
            <dl class="stats">
                <div class="stat">
                    <dt>"Records"</dt>
                    <dd class="big">
                        {estimated.then_some("≈ ")}
                        <Count
                            n=s.records
                            testid=if streaming { "variant-estimate" } else { "variant-count" }
                        />
                    </dd>
                </div>
                <div class="stat">
                    <dt>"Samples"</dt>
                    <dd class="big">
                        <Count n=s.samples.len() as u64 testid="sample-count" />
                    </dd>
                </div>
                <div class="stat">
                    <dt>"Contigs with records"</dt>
                    <dd class="big">
                        <Count n=with_records testid="contig-count" />
                        <span class="sub">" of " <Count n=s.contigs.len() as u64 /></span>
                    </dd>
                </div>
                <div class="stat">
                    <dt>"Reference build"</dt>
                    <dd
                        class="big"
                        class:unknown=s.reference_build.is_none()
                        data-testid="reference-build"
                        data-value=s.reference_build.clone().unwrap_or_default()
                    >
                        {s.reference_build.clone().unwrap_or_else(|| "not stated".into())}
                    </dd>
                </div>
                <div class="stat">
                    <dt>"Format"</dt>
                    <dd class="big" data-testid="file-format" data-value=loaded.format()>
                        {payload}
                        " "
                        <span class="sub">
                            {version} " · " {container}
                            {s.encrypted.then_some(" · Crypt4GH-encrypted")}
                        </span>
                    </dd>
                </div>
            </dl>
            {(!streaming).then(|| view! {
            <p class="load-facts">
                <Num value=file.size_bytes.to_string() text=bytes(file.size_bytes) testid="file-size" />
                {if s.encrypted { " encrypted file (" } else { " file (" }}
                {s.encrypted
                    .then(|| {
                        view! {
                            <Num value=s.bytes_read.to_string() text=bytes(s.bytes_read) />
                            " decrypted, "
                        }
                    })}
                <Num value=s.uncompressed_bytes.to_string() text=bytes(s.uncompressed_bytes) testid="text-bytes" />
                " uncompressed) read in "
                <Num value=format!("{:.1}", loaded.millis) text=duration(loaded.millis) testid="load-time" />
                " · "
                <Num value=format!("{file_speed:.2}") text=format!("{file_speed:.1} MB/s") testid="throughput" />
                " ("
                <Num value=format!("{text_speed:.2}") text=format!("{text_speed:.1} MB/s") testid="text-throughput" />
                " of text) · "
                <Num value=s.store_bytes.to_string() text=bytes(s.store_bytes) testid="store-bytes" />
                " held in memory by "
                <Num
                    value=file.workers.to_string()
                    text=if file.workers == 1 { "1 worker".to_string() } else { format!("{} workers", file.workers) }
                    testid="workers"
                />
            </p>
            })}
            <div class="summary-grid">
                <Samples names=s.samples.clone() />
                {(!streaming).then(|| view! { <Contigs file=file.clone() /> })}
            </div>
            <Warnings warnings=s.warnings.clone() />
            <p class="fingerprint">
                "Salted fingerprint (the only value derived from the file's bytes that is sent): "
                <code>{loaded.fingerprint.clone()}</code>
            </p>
        </section>
    }
}

#[component]
fn Samples(names: Vec<String>) -> impl IntoView {
    let count = names.len();
    view! {
        <div class="samples">
            <h3>"Samples"</h3>
            {if names.is_empty() {
                view! { <p class="muted">"No samples: a sites-only file."</p> }.into_any()
            } else {
                view! {
                    <ol class="chips" data-testid="sample-names" data-value=count.to_string()>
                        {names
                            .into_iter()
                            .map(|n| {
                                let title = n.clone();
                                view! { <li title=title>{n}</li> }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </div>
    }
}

#[component]
fn Contigs(file: Arc<LoadedFile>) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let contigs = &file.loaded.summary.contigs;
    let max = contigs.iter().map(|c| c.records).max().unwrap_or(0).max(1);
    let listed: Vec<_> = contigs.iter().filter(|c| c.records > 0).cloned().collect();
    let hidden_empty = contigs.len() - listed.len();
    let total_listed = listed.len();
    let rows = move || {
        let n = if show_all.get() {
            total_listed
        } else {
            CONTIGS_SHOWN.min(total_listed)
        };
        listed[..n]
            .iter()
            .map(|c| {
                let share = c.records as f64 / max as f64;
                view! {
                    <tr>
                        <th scope="row" title=c.name.clone()>{c.name.clone()}</th>
                        <td class="bar-cell">
                            <Meter fraction=share />
                        </td>
                        <td class="num-cell">
                            <Num value=c.records.to_string() text=group(c.records) />
                        </td>
                        <td class="num-cell muted">
                            {c.length.map(|l| view! { <Num value=l.to_string() text=group(l) /> })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="contigs">
            <h3>"Records per contig"</h3>
            <table class="contig-table" data-testid="contig-table">
                <thead>
                    <tr>
                        <th scope="col">"Contig"</th>
                        <th scope="col" class="bar-cell">
                            <span class="visually-hidden">"Share"</span>
                        </th>
                        <th scope="col" class="num-cell">"Records"</th>
                        <th scope="col" class="num-cell">"Length"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {(total_listed > CONTIGS_SHOWN)
                .then(|| {
                    view! {
                        <button type="button" class="link" on:click=move |_| show_all.update(|s| *s = !*s)>
                            {move || {
                                if show_all.get() {
                                    "Show fewer".to_string()
                                } else {
                                    format!("Show all {} contigs with records", group(total_listed as u64))
                                }
                            }}
                        </button>
                    }
                })}
            {(hidden_empty > 0)
                .then(|| {
                    view! {
                        <p class="muted small">
                            <Count n=hidden_empty as u64 />
                            " more declared in the header without records."
                        </p>
                    }
                })}
        </div>
    }
}

#[component]
fn Warnings(warnings: Vec<String>) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        view! {
            <div class="warnings">
                <h3>"Warnings " <Count n=warnings.len() as u64 /></h3>
                <ul data-testid="warnings">
                    {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}
