//! The pedigree check shown (CLINICAL.md §4, docs/PEDIGREE_CHECK.md): do the genotypes agree
//! with the PED?
//!
//! [`PedigreeCheckPanel`] draws a [`PedigreeCheckReport`] (the engine's result, finished in the
//! page from every shard's counts, [`crate::worker_client::WorkerClient::pedigree_check`]):
//! - the sex table (`sex-check`): PED sex against the sex chrX heterozygosity predicts, the
//!   het / hom-alt counts and their ratio, mismatches flagged;
//! - the relatedness plot (`relatedness-plot`), peddy's: per pair the fraction of sites
//!   sharing no allele (IBS0) against the fraction sharing both (IBS2), coloured by the PED's
//!   relation and ringed when flagged; a point's `<title>` names the pair and its numbers
//!   (parent–child pairs sit at IBS0 ≈ 0, unrelated pairs furthest right; a colour inside
//!   another colour's cloud is a PED error);
//! - the warnings, each with its numbers, and the notices; the pairs as a TSV download.
//!
//! Every number on it carries its raw value in `data-value`.

use leptos::prelude::*;
use wasm_core::pedigree_check::{
    CheckWarning, DeclaredRelation, PairCheck, PedigreeCheck, PredictedRelation, Sex,
};

use super::format::group;
use super::plot::Scale;
use crate::protocol::PedigreeCheckReport;

/// The plot's frame, in SVG units: the drawing area and the room for the axes' labels.
const PLOT_W: f64 = 520.0;
const PLOT_H: f64 = 360.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 44.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 16.0;

/// The colour of each PED relation (Okabe–Ito, readable with colour blindness).
pub fn relation_colour(r: DeclaredRelation) -> &'static str {
    match r {
        DeclaredRelation::ParentChild => "#D55E00",
        DeclaredRelation::FullSiblings => "#0072B2",
        DeclaredRelation::HalfSiblings => "#56B4E9",
        DeclaredRelation::GrandparentGrandchild => "#009E73",
        DeclaredRelation::Avuncular => "#E69F00",
        DeclaredRelation::FirstCousins => "#CC79A7",
        DeclaredRelation::OtherRelatives => "#B8A200",
        DeclaredRelation::Unrelated => "#8C8C8C",
        DeclaredRelation::NotInPedigree => "#5A5A5A",
        DeclaredRelation::Unknown => "#3A3A3A",
    }
}

/// `x` with four decimals, or `.` when there is none.
fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| ".".into(), |v| format!("{v:.4}"))
}

fn value(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

/// The pairs as a TSV file (the CLI's pair table, with sample names).
pub fn pairs_tsv(check: &PedigreeCheck) -> String {
    let mut out = String::from(
        "sample_a\tsample_b\trelatedness\tibs0\tibs2\tn\tshared_hets\thets_a\thets_b\t\
         ped_relation\texpected_relatedness\tpredicted\tflagged\n",
    );
    for p in &check.pairs {
        let name = |i: u32| check.samples.get(i as usize).cloned().unwrap_or_default();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            name(p.a),
            name(p.b),
            ratio(p.relatedness),
            p.ibs0,
            p.ibs2,
            p.n,
            p.shared_hets,
            p.hets_a,
            p.hets_b,
            p.expected.label().replace(' ', "-"),
            ratio(p.expected_relatedness),
            p.predicted.label().replace(' ', "-"),
            p.flagged
        ));
    }
    out
}

/// The sex table, the relatedness plot, the warnings and notices of one check.
#[component]
pub fn PedigreeCheckPanel(report: PedigreeCheckReport) -> impl IntoView {
    let check = report.check;
    let tsv = pairs_tsv(&check);
    let href = format!(
        "data:text/tab-separated-values;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&tsv))
    );
    let warnings = check.warnings.len() as u64;
    let counts: Vec<(u64, &str)> = vec![
        (check.samples.len() as u64, "samples"),
        (check.pairs_total, "pairs"),
        (warnings, if warnings == 1 { "warning" } else { "warnings" }),
        (check.x_sites, "chrX sites"),
        (check.relatedness_sites, "relatedness sites"),
    ];
    let summary = counts
        .into_iter()
        .enumerate()
        .map(|(k, (n, what))| {
            view! {
                {(k > 0).then_some(" · ")}
                <span data-name=what data-value=n.to_string()>{group(n)} " " {what}</span>
            }
        })
        .collect_view();
    view! {
        <section class="panel pedigree-check" data-testid="pedigree-check"
            aria-label="Pedigree check">
            <div class="panel-head">
                <h2>"Pedigree check"</h2>
                <span class="muted small">{summary}</span>
            </div>
            <Warnings check=check.clone() />
            <SexTable check=check.clone() />
            <RelatednessPlot check=check.clone() />
            <p class="small">
                <a data-testid="pedigree-pairs-download" href=href
                    download="pedigree-check-pairs.tsv">"Download the pairs (TSV)"</a>
            </p>
            <ul class="muted small" data-testid="pedigree-check-notices">
                {check
                    .notices
                    .iter()
                    .map(|n| view! { <li>{n.to_string()}</li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// A warning's kind and its numbers, each as (name, value).
fn warning_numbers(w: &CheckWarning) -> (&'static str, Vec<(&'static str, f64)>) {
    match w {
        CheckWarning::Sex {
            het_ratio,
            het,
            hom_alt,
            male_below,
            ..
        } => (
            "sex",
            vec![
                ("het ratio", *het_ratio),
                ("het", *het as f64),
                ("hom-alt", *hom_alt as f64),
                ("male below", *male_below),
            ],
        ),
        CheckWarning::Duplicate {
            relatedness,
            ibs0,
            n,
            ..
        } => (
            "duplicate",
            vec![
                ("relatedness", *relatedness),
                ("IBS0", *ibs0 as f64),
                ("n", *n as f64),
            ],
        ),
        CheckWarning::NotParentChild {
            relatedness,
            ibs0,
            n,
            ibs0_below,
            ..
        }
        | CheckWarning::UnexpectedParentChild {
            relatedness,
            ibs0,
            n,
            ibs0_below,
            ..
        } => {
            let mut numbers = Vec::new();
            if let Some(r) = relatedness {
                numbers.push(("relatedness", *r));
            }
            numbers.extend([
                ("IBS0", *ibs0 as f64),
                ("n", *n as f64),
                ("IBS0/n below", *ibs0_below),
            ]);
            let kind = if matches!(w, CheckWarning::NotParentChild { .. }) {
                "not-parent-child"
            } else {
                "unexpected-parent-child"
            };
            (kind, numbers)
        }
        CheckWarning::Relatedness {
            expected_relatedness,
            relatedness,
            ibs0,
            ibs2,
            n,
            limit,
            ..
        } => (
            "relatedness",
            vec![
                ("relatedness", *relatedness),
                ("expected", *expected_relatedness),
                ("IBS0", *ibs0 as f64),
                ("IBS2", *ibs2 as f64),
                ("n", *n as f64),
                ("limit", *limit),
            ],
        ),
    }
}

#[component]
fn Warnings(check: PedigreeCheck) -> impl IntoView {
    if check.warnings.is_empty() {
        return view! {
            <p class="pedigree-check-ok" data-testid="pedigree-check-warnings" data-value="0">
                "No warning: the genotypes agree with the PED."
            </p>
        }
        .into_any();
    }
    let items = check
        .warnings
        .iter()
        .map(|w| {
            let (kind, numbers) = warning_numbers(w);
            let numbers = numbers
                .into_iter()
                .enumerate()
                .map(|(k, (name, v))| {
                    let shown = if v.fract() == 0.0 && v.abs() < 1e15 {
                        group(v as u64)
                    } else {
                        format!("{v:.3}")
                    };
                    view! {
                        {if k == 0 { "(" } else { " · " }}
                        <span class="warning-number" data-name=name data-value=v.to_string()>
                            {name} " " {shown}
                        </span>
                    }
                })
                .collect_view();
            view! {
                <li data-testid="pedigree-check-warning" data-kind=kind>
                    {w.to_string()} " " <span class="muted small">{numbers} ")"</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="pedigree-check-warnings" data-testid="pedigree-check-warnings"
            data-value=check.warnings.len().to_string()>
            {items}
        </ul>
    }
    .into_any()
}

fn sex_name(s: Option<Sex>) -> String {
    s.map_or_else(|| "not in the PED".into(), |s| s.name().into())
}

#[component]
fn SexTable(check: PedigreeCheck) -> impl IntoView {
    let rows = check
        .sex
        .into_iter()
        .map(|s| {
            let flag = if s.mismatch { "mismatch" } else { "ok" };
            view! {
                <tr data-sample=s.sample.clone() data-mismatch=s.mismatch.to_string()>
                    <td>{s.sample.clone()}</td>
                    <td data-value=sex_name(s.declared)>{sex_name(s.declared)}</td>
                    <td data-value=s.predicted.name()>{s.predicted.name()}</td>
                    <td class="num" data-value=s.het.to_string()>{group(s.het)}</td>
                    <td class="num" data-value=s.hom_alt.to_string()>{group(s.hom_alt)}</td>
                    <td class="num" data-value=value(s.het_ratio)>{ratio(s.het_ratio)}</td>
                    <td class="num" data-value=s.y_called.to_string()>{group(s.y_called)}</td>
                    <td class=format!("check {flag}")>{flag}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="sex-check contig-table" data-testid="sex-check">
            <caption>"Sex: PED against chrX heterozygosity (male below a het / hom-alt ratio of 0.6)"</caption>
            <thead>
                <tr>
                    <th>"Sample"</th>
                    <th>"PED sex"</th>
                    <th>"Predicted"</th>
                    <th>"chrX het"</th>
                    <th>"chrX hom-alt"</th>
                    <th>"Het ratio"</th>
                    <th>"chrY calls"</th>
                    <th>"Check"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Tick values from 0 to `max`, five steps.
fn ticks(max: f64) -> Vec<f64> {
    (0..=4).map(|k| max * f64::from(k) / 4.0).collect()
}

#[component]
fn RelatednessPlot(check: PedigreeCheck) -> impl IntoView {
    let pairs: Vec<PairCheck> = check.pairs.iter().filter(|p| p.n > 0).cloned().collect();
    let max_ibs0 = pairs
        .iter()
        .map(PairCheck::ibs0_fraction)
        .fold(0.0, f64::max);
    // Room to the right of the furthest point, and at least 0.02 (a trio's unrelated parents
    // sit near 0.05–0.1 on a genome).
    let x_max = (max_ibs0 * 1.15).max(0.02);
    let x = Scale::new(x_max, LEFT, PLOT_W - RIGHT);
    let y = Scale::new(1.0, 0.0, PLOT_H - BOTTOM - TOP);
    let y_at = move |v: f64| PLOT_H - BOTTOM - y.length(v);
    let axes = view! {
        <line x1=LEFT.to_string() y1=(PLOT_H - BOTTOM).to_string() x2=(PLOT_W - RIGHT).to_string()
            y2=(PLOT_H - BOTTOM).to_string() stroke="currentColor"></line>
        <line x1=LEFT.to_string() y1=TOP.to_string() x2=LEFT.to_string()
            y2=(PLOT_H - BOTTOM).to_string() stroke="currentColor"></line>
        {ticks(x_max)
            .into_iter()
            .map(|t| view! {
                <text class="tick" data-value=t.to_string() x=format!("{:.1}", x.at(t)) y=(PLOT_H - BOTTOM + 14.0).to_string()
                    text-anchor="middle" font-size="10" fill="currentColor">{format!("{t:.3}")}</text>
            })
            .collect_view()}
        {ticks(1.0)
            .into_iter()
            .map(|t| view! {
                <text class="tick" data-value=t.to_string() x=(LEFT - 6.0).to_string() y=format!("{:.1}", y_at(t) + 3.0)
                    text-anchor="end" font-size="10" fill="currentColor">{format!("{t:.2}")}</text>
            })
            .collect_view()}
        <text x=format!("{:.1}", (LEFT + PLOT_W - RIGHT) / 2.0) y=(PLOT_H - 8.0).to_string()
            text-anchor="middle" font-size="11" fill="currentColor">
            "IBS0 / n (sites sharing no allele)"
        </text>
        <text x="12" y=format!("{:.1}", (PLOT_H - BOTTOM) / 2.0) text-anchor="middle" font-size="11"
            fill="currentColor"
            transform=format!("rotate(-90 12 {:.1})", (PLOT_H - BOTTOM) / 2.0)>
            "IBS2 / n (sites sharing both)"
        </text>
    };
    let samples = check.samples.clone();
    let points = pairs
        .iter()
        .map(|p| {
            let name = |i: u32| samples.get(i as usize).cloned().unwrap_or_default();
            let (a, b) = (name(p.a), name(p.b));
            let (fx, fy) = (p.ibs0_fraction(), p.ibs2_fraction());
            let title = format!(
                "{a} – {b}: relatedness {}, IBS0 {} and IBS2 {} of {} sites; PED: {}{}; \
                 genotypes: {}{}",
                ratio(p.relatedness),
                group(p.ibs0),
                group(p.ibs2),
                group(p.n),
                p.expected.label(),
                p.expected_relatedness
                    .map_or_else(String::new, |e| format!(" ({e:.3})")),
                p.predicted.label(),
                if p.flagged { " — flagged" } else { "" }
            );
            let colour = relation_colour(p.expected);
            view! {
                <circle class="pair" data-testid="relatedness-point"
                    data-a=a data-b=b
                    data-value=value(p.relatedness)
                    data-ibs0=p.ibs0.to_string() data-ibs2=p.ibs2.to_string() data-n=p.n.to_string()
                    data-expected=p.expected.label() data-predicted=p.predicted.label()
                    data-flagged=p.flagged.to_string()
                    cx=format!("{:.1}", x.at(fx)) cy=format!("{:.1}", y_at(fy))
                    r=if p.flagged { "7" } else { "5" }
                    fill=colour fill-opacity="0.8"
                    stroke=if p.flagged { "#C00000" } else { "none" }
                    stroke-width=if p.flagged { "2.5" } else { "0" }>
                    <title>{title}</title>
                </circle>
            }
        })
        .collect_view();
    let mut present: Vec<DeclaredRelation> = Vec::new();
    for p in &pairs {
        if !present.contains(&p.expected) {
            present.push(p.expected);
        }
    }
    let legend = present
        .into_iter()
        .map(|r| {
            let count = pairs.iter().filter(|p| p.expected == r).count();
            view! {
                <li data-relation=r.label() data-value=count.to_string()>
                    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
                        <circle cx="6" cy="6" r="5" fill=relation_colour(r)></circle>
                    </svg>
                    " " {r.label()} " (" {count} ")"
                </li>
            }
        })
        .collect_view();
    let predicted_related = pairs
        .iter()
        .filter(|p| {
            !matches!(
                p.predicted,
                PredictedRelation::Unrelated | PredictedRelation::Undetermined
            )
        })
        .count();
    view! {
        <figure class="relatedness" data-testid="relatedness-plot"
            data-value=pairs.len().to_string()>
            <svg class="chart relatedness-chart" role="img"
                aria-label="Relatedness: IBS0 against IBS2 per pair, coloured by the PED's relation"
                viewBox=format!("0 0 {PLOT_W} {PLOT_H}") width=PLOT_W.to_string()>
                {axes}
                {points}
            </svg>
            <figcaption class="small">
                <ul class="relatedness-legend">{legend}</ul>
                <span class="muted" data-value=predicted_related.to_string()>
                    {format!("{predicted_related} pairs look related; ringed in red: flagged")}
                </span>
            </figcaption>
        </figure>
    }
}
