//! The index overview: records per contig, from the `.tbi` / `.csi` alone, shown as soon as the
//! worker has opened the index — before and while the file itself is read. The counts are a
//! bar chart ([`plot`](super::plot): one [`HBar`] per contig with records, its count in
//! `data-value`).

use leptos::either::Either;
use leptos::prelude::*;

use super::format::Count;
use super::plot::{Chart, HBar, ROW, Scale};
use super::state::use_app;
use wasm_core::formats::indexed::Overview;

/// Chart width and the contig labels' column, in SVG units.
const WIDTH: f64 = 640.0;
const LABEL: f64 = 96.0;

#[component]
pub fn OverviewPanel() -> impl IntoView {
    let app = use_app();
    move || {
        app.overview
            .get()
            .map(|o| view! { <OverviewChart overview=o.overview index_name=o.index_name /> })
    }
}

/// Heading, total, the bar chart, the index's remarks.
#[component]
fn OverviewChart(overview: Overview, index_name: String) -> impl IntoView {
    let bars: Vec<(String, u64)> = overview
        .contigs
        .into_iter()
        .filter_map(|c| c.records.filter(|&n| n > 0).map(|n| (c.name, n)))
        .collect();
    let contigs = bars.len();
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1);
    let scale = Scale::new(max as f64, LABEL, WIDTH - 80.0);
    let total = match overview.records {
        Some(n) => Either::Left(view! {
            <Count n=n testid="overview-records" /> {format!(" records on {contigs} contigs.")}
        }),
        None => {
            Either::Right("This index has no record counts: they appear once the file is read.")
        }
    };
    let warnings = (!overview.warnings.is_empty()).then(|| {
        view! {
            <ul class="muted small">
                {overview.warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <section class="panel overview" data-testid="overview" aria-label="Records per contig, from the index">
            <div class="panel-head">
                <h2>"Records per contig, from the index"</h2>
                <span class="muted small">"“" {index_name} "” · shown before the file is read"</span>
            </div>
            <p>{total}</p>
            <Chart width=WIDTH height=contigs as f64 * ROW label="Records per contig" class="overview-chart">
                {bars
                    .into_iter()
                    .enumerate()
                    .map(|(row, (name, n))| {
                        view! {
                            <HBar row=row label=name.clone() value=n scale=scale
                                attr:data-testid="overview-contig" attr:data-contig=name />
                        }
                    })
                    .collect_view()}
            </Chart>
            {warnings}
        </section>
    }
}
