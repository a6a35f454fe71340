//! The QC panel (issue 15, CLINICAL.md §5): `bcftools stats`' numbers and the QC beyond them for
//! the shown file, drawn by the app as SVG — summary numbers, badges with their stated ranges
//! and reasons, substitution spectrum, Ts/Tv by QUAL (per bin and cumulative), indel lengths,
//! allele-frequency spectrum, depth and GQ distributions, het allele balance per sample, the
//! per-sample table, FILTER, consequence and impact breakdowns, variants per contig, and the
//! trios' Mendelian error rate and de novo count when a PED is given.
//!
//! A `<details>` closed at first: opening it asks the workers ([`WorkerClient::stats`], merged
//! over a pool's shards) for the whole file's statistics, or with the scope toggle for the
//! records passing the filter in force (asked again whenever the filter changes). The request
//! runs in a [`Latest`]. Every plot's numbers download as TSV ([`tables`]), and the whole as
//! `bcftools stats` text (`wasm_core::stats::text`, what `enclave stats --bcftools` prints).
//!
//! Test ids: `qc-panel` (the `<details>`), `qc-scope` (`data-value` whole / filtered; buttons
//! `qc-scope-whole`, `qc-scope-filtered`), `qc-status` (`data-value` loading / ready / failed),
//! `qc-records`, `qc-time` (the slowest worker's ms), `qc-sn-<key>` and `qc-tstv-<key>` (numbers as bcftools prints them, in
//! `data-value`), `qc-badge-<id>` ([`badges`]: `data-value`, `data-state`; with a PED also
//! `qc-badge-sex` and `qc-badge-relatedness`, the pedigree check's, after `qc-pedigree-status`
//! checking), `qc-plot-<id>`
//! (each drawing; its values' `data-value`), `qc-download-<id>` (its TSV) and
//! `qc-download-bcftools`, `qc-samples` (the per-sample table), `qc-trios`.

pub mod badges;
pub mod charts;
pub mod tables;

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::PedigreeCheck;
use wasm_core::stats::text;

use super::format::{Count, Num, duration, group};
use super::latest::Latest;
use super::plot::{Chart, HBar, ROW, Scale};
use super::selection::use_selection;
use super::state::{LoadedFile, use_client};
use crate::protocol::StatsScope;
use crate::worker_client::{CallError, QcReport, StatsArgs};
use charts::{Columns, Line};
use tables::Table;

/// What the panel shows.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Loading,
    Ready(Arc<QcReport>),
    Failed(String),
}

#[component]
pub fn QcPanel(
    file: Arc<LoadedFile>,
    /// A PED's text, for the trios' numbers (the page's pedigree, when it has one).
    #[prop(optional, into)]
    ped: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let client = use_client();
    let pedigree_client = client.clone();
    let selection = use_selection();
    let open = RwSignal::new(false);
    let scope = RwSignal::new(StatsScope::Whole);
    let status = RwSignal::new(Status::Idle);
    let asking = Latest::new();
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let scope = scope.get();
        if scope == StatsScope::Filtered {
            selection.revision().track();
        }
        let ped = ped.and_then(|p| p.get());
        let client = client.clone();
        status.set(Status::Loading);
        asking.run(async move {
            match client.stats(StatsArgs { scope, ped }).await {
                Ok(report) => status.set(Status::Ready(Arc::new(report))),
                Err(CallError::Dropped) => {}
                Err(e) => status.set(Status::Failed(e.to_string())),
            }
        });
    });
    // The pedigree check, once per PED (not per scope: it reads the whole file).
    let checked = RwSignal::new(PedigreeStatus::None);
    let checking = Latest::new();
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let pedigree = ped
            .and_then(|p| p.get())
            .and_then(|text| Pedigree::parse(text.as_bytes()).ok());
        let Some(pedigree) = pedigree else {
            checked.set(PedigreeStatus::None);
            return;
        };
        let client = pedigree_client.clone();
        checked.set(PedigreeStatus::Checking);
        checking.run(async move {
            match client.pedigree_check(Some(pedigree)).await {
                Ok(report) => checked.set(PedigreeStatus::Ready(Arc::new(report.check))),
                Err(CallError::Dropped) => {}
                Err(e) => checked.set(PedigreeStatus::Failed(e.to_string())),
            }
        });
    });
    let on_toggle = move |ev: leptos::ev::Event| {
        open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open());
    };
    let scope_value = move || match scope.get() {
        StatsScope::Whole => "whole",
        StatsScope::Filtered => "filtered",
    };
    let name = file.name.clone();
    let streaming = file.loaded.streaming.is_some();
    let body = move || match status.get() {
        Status::Idle => ().into_any(),
        Status::Loading => view! {
            <p class="qc-status muted" data-testid="qc-status" data-value="loading">"Counting…"</p>
        }
        .into_any(),
        Status::Failed(message) => view! {
            <p class="qc-status error" role="alert" data-testid="qc-status" data-value="failed">
                {message}
            </p>
        }
        .into_any(),
        Status::Ready(report) => {
            view! { <QcReportView report=report name=name.clone() pedigree=checked /> }.into_any()
        }
    };
    view! {
        <details class="panel qc" data-testid="qc-panel" on:toggle=on_toggle>
            <summary class="panel-head">
                <h2>"Quality control"</h2>
                <span class="muted">" bcftools stats, and what a clinician checks next"</span>
            </summary>
            <div class="qc-toolbar">
                <div class="qc-scope" role="group" aria-label="Which records" data-testid="qc-scope" data-value=scope_value>
                    <button
                        type="button"
                        data-testid="qc-scope-whole"
                        aria-pressed=move || (scope.get() == StatsScope::Whole).to_string()
                        on:click=move |_| scope.set(StatsScope::Whole)
                    >
                        "Whole file"
                    </button>
                    <button
                        type="button"
                        data-testid="qc-scope-filtered"
                        aria-pressed=move || (scope.get() == StatsScope::Filtered).to_string()
                        on:click=move |_| scope.set(StatsScope::Filtered)
                    >
                        "Filtered"
                    </button>
                </div>
                {streaming.then(|| view! {
                    <span class="muted">"Streaming mode: the statistics count the records shown."</span>
                })}
            </div>
            {body}
        </details>
    }
}

/// A report on screen.
/// One badge: its number, the stated range, and why.
fn badge_view(b: badges::Badge) -> impl IntoView {
    view! {
        <div
            class=format!("qc-badge {}", b.state.as_str())
            data-testid=format!("qc-badge-{}", b.id)
            data-value=b.value.map(|v| v.to_string()).unwrap_or_default()
            data-state=b.state.as_str()
            title=b.reason
        >
            <span class="label">{b.label}</span>
            <strong class="value">{b.text}</strong>
            <span class="threshold">"expected: " {b.threshold}</span>
            <span class="reason">{b.reason}</span>
        </div>
    }
}

/// The pedigree check beside the badges: asked when the panel opens with a PED loaded, over the
/// whole file (the scope toggle does not change it: a sample's sex is the whole file's).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PedigreeStatus {
    /// No PED, or one that does not parse (the Family panel says why).
    #[default]
    None,
    Checking,
    Ready(Arc<PedigreeCheck>),
    Failed(String),
}

/// A report on screen: the badges (with the pedigree check's when `pedigree` has one), the
/// numbers, the plots and the tables.
#[component]
pub fn QcReportView(
    report: Arc<QcReport>,
    name: String,
    #[prop(optional, into)] pedigree: Option<Signal<PedigreeStatus>>,
) -> impl IntoView {
    let records = report.records;
    let millis = report.millis;
    let trio_problem = report.trio_problem.clone();
    let s = &report.bcftools;
    let sn = &s.summary;
    let t = &s.tstv;
    let f2 = |v: f32| format!("{:.2}", f64::from(v));
    let sn_rows: Vec<(&'static str, &'static str, u64)> = vec![
        ("samples", "samples", sn.samples),
        ("records", "records", sn.records),
        ("no-alts", "no-ALTs", sn.no_alts),
        ("snps", "SNPs", sn.snps),
        ("mnps", "MNPs", sn.mnps),
        ("indels", "indels", sn.indels),
        ("others", "others", sn.others),
        ("multiallelic", "multiallelic sites", sn.multiallelic),
        (
            "multiallelic-snps",
            "multiallelic SNP sites",
            sn.multiallelic_snps,
        ),
    ];
    let bcftools_text = {
        let provenance = text::Provenance {
            producer: format!("Enclave {}", env!("CARGO_PKG_VERSION")),
            command: match report.scope {
                StatsScope::Whole => format!("enclave stats --bcftools {name}"),
                StatsScope::Filtered => {
                    format!(
                        "enclave stats --bcftools {name} (the records passing the app's filter)"
                    )
                }
            },
            file: name.clone(),
        };
        let mut out = Vec::new();
        let _ = text::write(&mut out, s, &provenance);
        String::from_utf8_lossy(&out).into_owned()
    };
    let stem = name.clone();
    let download_all = move |_| {
        super::download::offer(
            &format!("{stem}.bcftools-stats.txt"),
            &[bcftools_text.as_bytes()],
            "text/plain",
        );
    };
    let badges = badges::badges(&report)
        .into_iter()
        .map(badge_view)
        .collect_view();
    let pedigree_badges = move || {
        pedigree.map(|p| match p.get() {
            PedigreeStatus::None => ().into_any(),
            PedigreeStatus::Checking => view! {
                <p class="qc-badge none muted" data-testid="qc-pedigree-status" data-value="checking">
                    "Checking the pedigree against the genotypes…"
                </p>
            }
            .into_any(),
            PedigreeStatus::Failed(message) => view! {
                <p class="qc-badge warn" role="alert" data-testid="qc-pedigree-status" data-value="failed">
                    "No pedigree check: " {message}
                </p>
            }
            .into_any(),
            PedigreeStatus::Ready(check) => badges::pedigree_badges(&check)
                .into_iter()
                .map(badge_view)
                .collect_view()
                .into_any(),
        })
    };
    let qual_table = tables::tstv_by_qual(s);
    // bcftools' QUAL bins are 0.1 wide: drawn in 20 groups of about equal SNP counts, each
    // group's ratio and the ratio at its lowest QUAL or above (the TSV keeps every bin).
    let (per_bin, cumulative) = tables::tstv_by_qual_groups(s, 20);
    let columns = |table: &Table, label_col: usize, value_col: usize| -> Vec<(String, u64)> {
        table
            .rows
            .iter()
            .map(|r| (r[label_col].clone(), r[value_col].parse().unwrap_or(0)))
            .collect()
    };
    let substitutions = tables::substitutions(s);
    let indels = tables::indel_lengths(s);
    let indel_columns = columns(&indels, 0, 1);
    let depth_columns = columns(&tables::depth(s), 0, 1);
    let af = tables::allele_frequency(s);
    let depth = tables::depth(s);
    let gq = tables::gq(&report);
    let balance = tables::allele_balance(&report);
    let samples = tables::samples(s);
    let qc = &report.qc;
    let filters = tables::named("FILTER", &qc.per_filter);
    let contigs = tables::named("contig", &qc.per_contig);
    let consequences = qc.consequences.as_ref().map(|c| {
        (
            c.field.clone(),
            tables::named("consequence", &c.by_consequence),
            tables::named("impact", &c.by_impact),
        )
    });
    let trios = tables::trios(&report);
    let af_values: Vec<(String, u64)> = af
        .rows
        .iter()
        .map(|r| {
            let n = r[1].parse::<u64>().unwrap_or(0) + r[4].parse::<u64>().unwrap_or(0);
            (format!("AF {}", &r[0][..4.min(r[0].len())]), n)
        })
        .collect();
    view! {
        <div class="qc-report" data-testid="qc-status" data-value="ready">
            <div class="qc-toolbar">
                <span data-testid="qc-records" data-value=records.to_string()>
                    {group(records)}
                </span>
                " records counted in "
                <Num value=millis.to_string() text=duration(millis) testid="qc-time" />
                <button type="button" class="link" data-testid="qc-download-bcftools" on:click=download_all>
                    "Download in bcftools stats format"
                </button>
            </div>
            {trio_problem.map(|p| view! {
                <p class="qc-status notice" role="status" data-testid="qc-trio-problem">"No trio numbers: " {p}</p>
            })}
            <div class="qc-badges">{badges} {pedigree_badges}</div>
            <div class="qc-numbers">
                <table class="qc-sn" data-testid="qc-sn">
                    <caption>"Summary numbers (SN)"</caption>
                    <tbody>
                        {sn_rows.into_iter().map(|(key, label, v)| view! {
                            <tr><th scope="row">{label}</th><td><Count n=v testid=sn_id(key) /></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table class="qc-sn" data-testid="qc-tstv">
                    <caption>"Transitions / transversions (TSTV)"</caption>
                    <tbody>
                        <tr><th scope="row">"ts"</th><td><Count n=t.ts testid="qc-tstv-ts" /></td></tr>
                        <tr><th scope="row">"tv"</th><td><Count n=t.tv testid="qc-tstv-tv" /></td></tr>
                        <tr><th scope="row">"ts/tv"</th><td><Num value=f2(t.ratio()) text=f2(t.ratio()) testid="qc-tstv-ratio" /></td></tr>
                        <tr><th scope="row">"ts (1st ALT)"</th><td><Count n=t.ts_first_alt testid="qc-tstv-ts-first" /></td></tr>
                        <tr><th scope="row">"tv (1st ALT)"</th><td><Count n=t.tv_first_alt testid="qc-tstv-tv-first" /></td></tr>
                        <tr><th scope="row">"ts/tv (1st ALT)"</th><td><Num value=f2(t.ratio_first_alt()) text=f2(t.ratio_first_alt()) testid="qc-tstv-ratio-first" /></td></tr>
                    </tbody>
                </table>
            </div>
            <div class="qc-plots">
                <Plot id="substitutions" title="Substitution spectrum (ST)" table=substitutions.clone()>
                    <HBars table=substitutions label="Substitution types" />
                </Plot>
                <Plot id="tstv-qual" title="Ts/Tv by QUAL: per twentieth of the SNPs (upper), at that QUAL or above (lower)" table=qual_table.clone()>
                    <Line points=per_bin label="Ts/Tv per QUAL bin" />
                    <Line points=cumulative label="Ts/Tv at QUAL or above" />
                </Plot>
                <Plot id="indels" title="Indel lengths (IDD; deletions negative)" table=indels.clone()>
                    <Columns values=indel_columns label="Indel sites per length" />
                </Plot>
                <Plot id="af" title="Allele frequency spectrum (AF: SNPs + indels)" table=af.clone()>
                    <Columns values=af_values label="Alleles per frequency bin" />
                </Plot>
                <Plot id="depth" title="Depth per genotype (DP)" table=depth.clone()>
                    <Columns values=depth_columns label="Genotypes per depth" />
                </Plot>
                {(!gq.rows.is_empty()).then(|| {
                    let values = columns(&gq, 0, 1);
                    view! {
                        <Plot id="gq" title="Genotype quality (FORMAT/GQ)" table=gq.clone()>
                            <Columns values=values label="Genotypes per GQ" />
                        </Plot>
                    }
                })}
                {(!balance.rows.is_empty()).then(|| {
                    let per_sample: Vec<(String, Vec<(String, u64)>)> = qc.allele_balance.iter().flatten().map(|b| {
                        (b.sample.clone(), b.histogram.counts.iter().enumerate().map(|(k, n)| (format!("{:.2}", k as f64 * b.histogram.width), *n)).collect())
                    }).collect();
                    view! {
                        <Plot id="allele-balance" title="Het allele balance per sample (alt / (ref + alt) reads)" table=balance.clone()>
                            {per_sample.into_iter().map(|(sample, values)| view! {
                                <div class="qc-small" data-sample=sample.clone()>
                                    <span class="muted">{sample.clone()}</span>
                                    <Columns values=values label="Hets per allele balance" />
                                </div>
                            }).collect_view()}
                        </Plot>
                    }
                })}
                <Plot id="filters" title="Records per FILTER" table=filters.clone()>
                    <HBars table=filters label="Records per FILTER" />
                </Plot>
                {consequences.map(|(field, by_consequence, by_impact)| view! {
                    <Plot id="consequences" title=format!("Most severe consequence per record ({field})") table=by_consequence.clone()>
                        <HBars table=by_consequence label="Records per consequence" />
                    </Plot>
                    <Plot id="impacts" title=format!("Most severe impact per record ({field})") table=by_impact.clone()>
                        <HBars table=by_impact label="Records per impact" />
                    </Plot>
                })}
                <Plot id="contigs" title="Variants per contig" table=contigs.clone()>
                    <HBars table=contigs label="Records per contig" />
                </Plot>
            </div>
            {(!samples.rows.is_empty()).then(|| view! {
                <Plot id="samples" title="Per sample (PSC)" table=samples.clone()>
                    <DataTable table=samples testid="qc-samples" />
                </Plot>
            })}
            {(!trios.rows.is_empty()).then(|| view! {
                <Plot id="trios" title="Trios: Mendelian errors (bcftools +mendelian's rule) and de novo calls" table=trios.clone()>
                    <DataTable table=trios testid="qc-trios" />
                </Plot>
            })}
        </div>
    }
}

fn sn_id(key: &str) -> &'static str {
    match key {
        "samples" => "qc-sn-samples",
        "records" => "qc-sn-records",
        "no-alts" => "qc-sn-no-alts",
        "snps" => "qc-sn-snps",
        "mnps" => "qc-sn-mnps",
        "indels" => "qc-sn-indels",
        "others" => "qc-sn-others",
        "multiallelic" => "qc-sn-multiallelic",
        _ => "qc-sn-multiallelic-snps",
    }
}

/// One plot: a title, its TSV download, and its drawing.
#[component]
fn Plot(
    id: &'static str,
    #[prop(into)] title: String,
    table: Table,
    children: Children,
) -> impl IntoView {
    let tsv = table.tsv();
    view! {
        <figure class="qc-plot" data-testid=format!("qc-plot-{id}")>
            <figcaption>
                <span>{title}</span>
                <button
                    type="button"
                    class="link"
                    data-testid=format!("qc-download-{id}")
                    on:click=move |_| super::download::offer(&format!("qc-{id}.tsv"), &[tsv.as_bytes()], "text/tab-separated-values")
                >
                    "TSV"
                </button>
            </figcaption>
            {children()}
        </figure>
    }
}

/// Horizontal bars of a two-column (name, count) table.
#[component]
fn HBars(table: Table, label: &'static str) -> impl IntoView {
    let max = table
        .rows
        .iter()
        .filter_map(|r| r[1].parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let longest = table
        .rows
        .iter()
        .map(|r| r[0].chars().count())
        .max()
        .unwrap_or(4);
    let label_width = (longest.min(34) as f64 * 6.6 + 10.0).max(40.0);
    let scale = Scale::new(max as f64, label_width, charts::WIDTH - 70.0);
    let height = (table.rows.len().max(1)) as f64 * ROW;
    view! {
        <Chart width=charts::WIDTH height=height label=label class="qc-chart">
            {table.rows.iter().enumerate().map(|(k, r)| view! {
                <HBar row=k label=r[0].clone() value=r[1].parse().unwrap_or(0) scale=scale />
            }).collect_view()}
        </Chart>
    }
}

/// A table of text; numbers carry `data-value`.
#[component]
fn DataTable(table: Table, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="qc-table" data-testid=testid>
                <thead><tr>{table.header.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {table.rows.into_iter().map(|row| view! {
                        <tr>
                            {row.into_iter().enumerate().map(|(k, cell)| if k == 0 {
                                view! { <th scope="row">{cell}</th> }.into_any()
                            } else {
                                view! { <td class="num" data-value=cell.clone()>{cell.clone()}</td> }.into_any()
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
