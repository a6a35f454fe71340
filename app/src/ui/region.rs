//! Go to a region or a gene: a box above the table.
//!
//! `chr1:100000-200000`, a contig, or a list of them: with the whole file loaded, they become
//! the filter's region list (the filter panel's machinery); in streaming mode with an index the
//! worker reads just those regions through the index and shows them (with how many bytes it
//! read); in streaming mode without one, the filter scans for them. A gene symbol (anything that
//! is neither a region nor a contig of the file) becomes the filter's gene list when the file is
//! loaded and annotated (CSQ, ANN, BCSQ); otherwise the box says why it cannot. What is typed
//! here goes to the worker only, through the page's [`Selection`](super::selection::Selection).

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;

use super::format::{Count, Num, bytes, duration};
use super::selection::{RegionNote, use_selection};
use super::state::LoadedFile;

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

#[component]
pub fn RegionBox(file: Arc<LoadedFile>) -> impl IntoView {
    let f = use_selection();
    let contigs: Vec<String> = file
        .loaded
        .summary
        .contigs
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let indexed = file.loaded.streaming.as_ref().map(|s| s.indexed);
    let annotated = !file.loaded.schema.annotations.is_empty();
    let input = NodeRef::<leptos::html::Input>::new();
    let go = move || {
        let text = input
            .get_untracked()
            .map(|i| i.value().trim().to_string())
            .unwrap_or_default();
        f.region.set(None);
        if text.is_empty() {
            return;
        }
        match (target(&text, &contigs), indexed) {
            (Target::Mixed, _) => f.say(
                "This mixes regions and other words: go to regions (chr1:100000-200000) or to genes, one kind at a time."
                    .to_string(),
            ),
            (Target::Regions, Some(true)) => f.read_regions(text),
            (Target::Regions, _) => {
                f.regions.set(text);
                f.apply();
            }
            (Target::Genes, Some(_)) => f.say(format!(
                "“{text}” is not a contig of this file. In streaming mode genes cannot be looked up \
                 directly: use a filter on the annotation, e.g. CSQ/SYMBOL=\"{text}\" (or ANN/Gene_Name, BCSQ/gene)."
            )),
            (Target::Genes, None) if !annotated => f.say(format!(
                "“{text}” is not a contig of this file, and the file has no gene annotation (VEP CSQ, \
                 SnpEff ANN or bcftools BCSQ), so genes cannot be found in it. Go to a region instead: chr1:100000-200000."
            )),
            (Target::Genes, None) => {
                f.genes.set(text);
                f.apply();
            }
        }
    };
    let on_enter = go.clone();
    view! {
        <section class="panel region-box" aria-label="Go to a region or gene">
            <div class="region-line">
                <label for="region-input">"Go to"</label>
                <input id="region-input" type="text" spellcheck="false" autocomplete="off"
                    data-testid="region-input" node_ref=input
                    placeholder="chr1:100000-200000, a contig, or a gene symbol"
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            on_enter();
                        }
                    } />
                <button type="button" class="button" data-testid="region-go" on:click=move |_| go()>
                    "Go"
                </button>
            </div>
            <RegionLine />
        </section>
    }
}

/// What the box did: the region read through the index, or why it cannot go there.
#[component]
fn RegionLine() -> impl IntoView {
    let f = use_selection();
    move || {
        f.region.get().map(|note| match note {
            RegionNote::Problem(message) => Either::Left(view! {
                <p class="region-problem" role="alert" data-testid="region-problem">{message}</p>
            }),
            RegionNote::Read {
                regions,
                records,
                bytes_read,
                millis,
            } => Either::Right(view! {
                <p data-testid="region-result">
                    <Count n=records testid="region-count" />
                    " records in " <code>{regions}</code> ", read through the index: "
                    <Num value=bytes_read.to_string() text=bytes(bytes_read) testid="region-bytes" />
                    " of the file in "
                    <Num value=format!("{millis:.1}") text=duration(millis) testid="region-time" />
                    "."
                </p>
            }),
        })
    }
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
