//! The index overview: records per contig, from the `.tbi` / `.csi` alone, shown as soon as the
//! worker has opened the index — before and while the file itself is read. The counts are a
//! bar chart (inline SVG, one `<rect>` per contig with records, its count in `data-value`).
//!
//! The panel is static once drawn, so it is written as markup ([`chart`], every name escaped)
//! into one element: a reactive view per bar would cost far more of the page's download.

use leptos::prelude::*;

use super::format::{escape, group};
use super::use_app_state;
use wasm_core::formats::indexed::Overview;

/// Chart width, the contig labels' column and one bar's row, in SVG units.
const WIDTH: f64 = 640.0;
const LABEL: f64 = 96.0;
const ROW: f64 = 16.0;

#[component]
pub fn OverviewPanel() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.overview.get().map(|chart| {
            view! {
                <section
                    class="panel overview"
                    data-testid="overview"
                    aria-label="Records per contig, from the index"
                    inner_html=chart
                ></section>
            }
        })
    }
}

/// The panel's markup for the overview of index `index_name`: heading, total, the bar chart,
/// the index's remarks.
pub fn chart(o: &Overview, index_name: &str) -> String {
    let bars: Vec<(&str, u64)> = o
        .contigs
        .iter()
        .filter_map(|c| c.records.filter(|&n| n > 0).map(|n| (c.name.as_str(), n)))
        .collect();
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1) as f64;
    let height = bars.len() as f64 * ROW;
    let span = WIDTH - LABEL - 80.0;
    let total = match o.records {
        Some(n) => format!(
            r#"<span class="num" data-testid="overview-records" data-value="{n}">{}</span> records on {} contigs."#,
            group(n),
            bars.len()
        ),
        None => "This index has no record counts: they appear once the file is read.".into(),
    };
    let mut out = format!(
        r#"<div class="panel-head"><h2>Records per contig, from the index</h2><span class="muted small">“{}” · shown before the file is read</span></div><p>{total}</p><svg class="overview-chart" role="img" aria-label="Records per contig" viewBox="0 0 {WIDTH} {height}" height="{height}">"#,
        escape(index_name)
    );
    for (k, (name, n)) in bars.iter().enumerate() {
        let y = k as f64 * ROW;
        let w = (*n as f64 / max * span).max(1.0);
        let name = escape(name);
        let count = group(*n);
        out += &format!(
            r#"<text x="{}" y="{}" text-anchor="end">{name}</text><rect data-testid="overview-contig" data-contig="{name}" data-value="{n}" x="{LABEL}" y="{}" width="{w:.1}" height="{}"><title>{name}: {count} records</title></rect><text class="value" x="{:.1}" y="{}">{count}</text>"#,
            LABEL - 6.0,
            y + 12.0,
            y + 3.0,
            ROW - 6.0,
            LABEL + w + 4.0,
            y + 12.0,
        );
    }
    out += "</svg>";
    if !o.warnings.is_empty() {
        out += r#"<ul class="muted small">"#;
        for w in &o.warnings {
            out += &format!("<li>{}</li>", escape(w));
        }
        out += "</ul>";
    }
    out
}
