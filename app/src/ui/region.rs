//! Go to a region or a gene: a box above the table.
//!
//! `chr1:100000-200000`, a contig, or a list of them: with the whole file loaded, they become
//! the filter's region list (the filter panel's machinery); in streaming mode with an index the
//! worker reads just those regions through the index and shows them (with how many bytes it
//! read); in streaming mode without one, the filter scans for them. A gene symbol (anything that
//! is neither a region nor a contig of the file) becomes the filter's gene list when the file is
//! loaded and annotated (CSQ, ANN, BCSQ); otherwise the box says why it cannot. What is typed
//! here goes to the worker only.

use std::sync::Arc;

use leptos::prelude::*;

use super::LoadedFile;
use super::filter::{FilterState, apply};
use super::format::{bytes, duration, escape, group};
use crate::protocol::{Event, FilterRejection};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// What the box holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Regions,
    Genes,
    /// Both regions and other words.
    Mixed,
}

/// Whether `text` names regions (`chr:beg-end`, contigs of the file, BED lines) or genes.
/// Contig names match as region lists do: `chr1` finds `1` and the other way round.
pub fn target(text: &str, contigs: &[String]) -> Target {
    if text.contains('\t') {
        return Target::Regions;
    }
    let bare = |n: &str| {
        let n = n.strip_prefix("chr").unwrap_or(n);
        if n == "M" { "MT" } else { n }.to_string()
    };
    let is_region = |e: &str| e.contains(':') || contigs.iter().any(|c| bare(c) == bare(e));
    let entries: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .collect();
    match entries.iter().filter(|e| is_region(e)).count() {
        0 => Target::Genes,
        n if n == entries.len() => Target::Regions,
        _ => Target::Mixed,
    }
}

/// The box's input and button, as markup: the page reads the input when Go is pressed, so
/// there is nothing reactive about them.
const REGION_LINE: &str = r#"<label for="region-input">Go to</label><input id="region-input" type="text" spellcheck="false" autocomplete="off" data-testid="region-input" placeholder="chr1:100000-200000, a contig, or a gene symbol"><button type="button" class="button" data-testid="region-go">Go</button>"#;

#[component]
pub fn RegionBox(file: Arc<LoadedFile>) -> impl IntoView {
    let f = super::use_app_state().filter;
    let contigs: Vec<String> = file
        .summary
        .contigs
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let indexed = file.streaming.as_ref().map(|s| s.indexed);
    let annotated = !file.schema.annotations.is_empty();
    let go = move || {
        let text = document()
            .get_element_by_id("region-input")
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value().trim().to_string())
            .unwrap_or_default();
        f.region_note.set(String::new());
        if text.is_empty() {
            return;
        }
        let said = match (target(&text, &contigs), indexed) {
            (Target::Mixed, _) => Some(
                "This mixes regions and other words: go to regions (chr1:100000-200000) or to genes, one kind at a time."
                    .to_string(),
            ),
            (Target::Regions, Some(true)) => {
                query(f, text);
                None
            }
            (Target::Regions, _) => {
                f.regions.set(text);
                apply(f);
                None
            }
            (Target::Genes, Some(_)) => Some(format!(
                "“{text}” is not a contig of this file. In streaming mode genes cannot be looked up \
                 directly: use a filter on the annotation, e.g. CSQ/SYMBOL=\"{text}\" (or ANN/Gene_Name, BCSQ/gene)."
            )),
            (Target::Genes, None) if !annotated => Some(format!(
                "“{text}” is not a contig of this file, and the file has no gene annotation (VEP CSQ, \
                 SnpEff ANN or bcftools BCSQ), so genes cannot be found in it. Go to a region instead: chr1:100000-200000."
            )),
            (Target::Genes, None) => {
                f.genes.set(text);
                apply(f);
                None
            }
        };
        if let Some(said) = said {
            f.region_note.set(problem(&said));
        }
    };
    let on_key = go.clone();
    view! {
        <section
            class="panel region-box"
            aria-label="Go to a region or gene"
            on:click=move |ev| {
                let on_go = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|e| e.get_attribute("data-testid").as_deref() == Some("region-go"));
                if on_go {
                    go();
                }
            }
            on:keydown=move |ev| {
                let in_box = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|e| e.id() == "region-input");
                if in_box && ev.key() == "Enter" {
                    ev.prevent_default();
                    on_key();
                }
            }
        >
            <div class="region-line" inner_html=REGION_LINE></div>
            <div inner_html=move || f.region_note.get()></div>
        </section>
    }
}

/// Why the box cannot go there, as markup.
fn problem(message: &str) -> String {
    format!(
        r#"<p class="region-problem" role="alert" data-testid="region-problem">{}</p>"#,
        escape(message)
    )
}

/// Streaming mode with an index: shows the records of `regions`, read through the index.
fn query(f: FilterState, regions: String) {
    f.pending.begin();
    f.client().region(regions.clone(), move |event| {
        match event {
            Event::Loaded {
                summary, millis, ..
            } => {
                f.scan_note.set(String::new());
                f.report.set(None);
                f.problem.set(None);
                f.region_note.set(format!(
                    r#"<p data-testid="region-result"><span class="num" data-testid="region-count" data-value="{}">{}</span> records in <code>{}</code>, read through the index: <span class="num" data-testid="region-bytes" data-value="{}">{}</span> of the file in <span class="num" data-testid="region-time" data-value="{:.1}">{}</span>.</p>"#,
                    summary.records,
                    group(summary.records),
                    escape(&regions),
                    summary.bytes_read,
                    bytes(summary.bytes_read),
                    millis,
                    duration(millis)
                ));
                f.generation.update(|g| *g += 1);
            }
            Event::FilterRejected {
                rejection: FilterRejection::Regions { error },
                ..
            } => f.region_note.set(problem(&format!(
                "Line {}: {}. Write regions as chr1, chr1:100000 or chr1:100000-200000.",
                error.line, error.message
            ))),
            Event::Failed { message, .. } => f.region_note.set(problem(&message)),
            _ => return,
        }
        f.pending.end();
    });
}

#[cfg(test)]
mod tests {
    use super::{Target, target};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn regions_and_genes_are_told_apart() {
        let contigs: Vec<String> = ["1", "2", "X", "MT"].map(String::from).to_vec();
        assert_eq!(target("chr1:100000-200000", &contigs), Target::Regions);
        assert_eq!(target("1", &contigs), Target::Regions);
        assert_eq!(target("chrX, 2:5-9", &contigs), Target::Regions);
        assert_eq!(target("chrM", &contigs), Target::Regions);
        assert_eq!(target("1\t99\t200", &contigs), Target::Regions);
        assert_eq!(target("BRCA1", &contigs), Target::Genes);
        assert_eq!(target("BRCA1, TP53", &contigs), Target::Genes);
        assert_eq!(target("BRCA1 1:5-9", &contigs), Target::Mixed);
    }
}
