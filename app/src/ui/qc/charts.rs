//! The QC panel's two drawings beyond [`crate::ui::plot`]'s bars: vertical [`Columns`] (a
//! histogram: depth, GQ, allele frequency, indel lengths, allele balance) and a [`Line`] of
//! points (Ts/Tv by QUAL). Same conventions as `plot`: SVG units in a [`Chart`] frame, every
//! drawn value with its raw number in `data-value` and a `<title>` the pointer shows.

use leptos::prelude::*;

use crate::ui::plot::Chart;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 150.0;
/// Room for the axis labels.
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 18.0;
const TOP: f64 = 8.0;

fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// One column per value, labels under the first, middle and last.
#[component]
pub fn Columns(
    /// (label, value) per column, left to right.
    values: Vec<(String, u64)>,
    label: &'static str,
) -> impl IntoView {
    let n = values.len().max(1);
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let step = plot_w / n as f64;
    let ticks: Vec<usize> = if values.is_empty() {
        Vec::new()
    } else {
        let mut t = vec![0, values.len() / 2, values.len() - 1];
        t.dedup();
        t
    };
    let last = values.len().saturating_sub(1);
    let axis_labels = ticks
        .into_iter()
        .map(|k| {
            let x = LEFT + step * (k as f64 + 0.5);
            // The ends' labels stay inside the frame.
            let (x, anchor) = match k {
                0 => (LEFT, "start"),
                k if k == last => (WIDTH - 4.0, "end"),
                _ => (x, "middle"),
            };
            view! {
                <text class="axis" x=format!("{x:.1}") y=(HEIGHT - 4.0).to_string() text-anchor=anchor>
                    {values[k].0.clone()}
                </text>
            }
        })
        .collect_view();
    let bars = values
        .iter()
        .enumerate()
        .map(|(k, (name, v))| {
            let h = (*v as f64 / max * plot_h).max(if *v > 0 { 1.0 } else { 0.0 });
            let x = LEFT + step * k as f64;
            view! {
                <rect
                    class="col"
                    data-value=v.to_string()
                    data-label=name.clone()
                    x=format!("{:.2}", x + step * 0.1)
                    y=format!("{:.2}", TOP + plot_h - h)
                    width=format!("{:.2}", (step * 0.8).max(0.5))
                    height=format!("{h:.2}")
                >
                    <title>{format!("{name}: {v}")}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <Chart width=WIDTH height=HEIGHT label=label class="qc-chart">
            <line class="axis" x1=LEFT.to_string() y1=(TOP + plot_h).to_string() x2=(WIDTH - 4.0).to_string() y2=(TOP + plot_h).to_string()></line>
            <text class="axis" x=(LEFT - 4.0).to_string() y=(TOP + 8.0).to_string() text-anchor="end">{short(max)}</text>
            <text class="axis" x=(LEFT - 4.0).to_string() y=(TOP + plot_h).to_string() text-anchor="end">"0"</text>
            {bars}
            {axis_labels}
        </Chart>
    }
}

/// Points joined by a line: `(x label, x, y)`; y from 0 to the largest value.
#[component]
pub fn Line(points: Vec<(String, f64, f64)>, label: &'static str) -> impl IntoView {
    let (x_min, x_max) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
    let y_max = points.iter().map(|p| p.2).fold(0.0, f64::max).max(1e-9);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let span = if x_max > x_min { x_max - x_min } else { 1.0 };
    let at = move |x: f64, y: f64| {
        (
            LEFT + (x - x_min) / span * plot_w,
            TOP + plot_h - y / y_max * plot_h,
        )
    };
    let path = points
        .iter()
        .map(|p| {
            let (x, y) = at(p.1, p.2);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let dots = points
        .iter()
        .map(|(name, x, y)| {
            let (cx, cy) = at(*x, *y);
            view! {
                <circle class="pt" cx=format!("{cx:.1}") cy=format!("{cy:.1}") r="2.5" data-value=format!("{y:.4}") data-label=name.clone()>
                    <title>{format!("{name}: {y:.3}")}</title>
                </circle>
            }
        })
        .collect_view();
    let first = points.first().map(|p| p.0.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.0.clone()).unwrap_or_default();
    view! {
        <Chart width=WIDTH height=HEIGHT label=label class="qc-chart">
            <line class="axis" x1=LEFT.to_string() y1=(TOP + plot_h).to_string() x2=(WIDTH - 4.0).to_string() y2=(TOP + plot_h).to_string()></line>
            <text class="axis" x=(LEFT - 4.0).to_string() y=(TOP + 8.0).to_string() text-anchor="end">{short(y_max)}</text>
            <text class="axis" x=(LEFT - 4.0).to_string() y=(TOP + plot_h).to_string() text-anchor="end">"0"</text>
            <polyline class="line" points=path></polyline>
            {dots}
            <text class="axis" x=LEFT.to_string() y=(HEIGHT - 4.0).to_string()>{first}</text>
            <text class="axis" x=(WIDTH - 4.0).to_string() y=(HEIGHT - 4.0).to_string() text-anchor="end">{last}</text>
        </Chart>
    }
}
