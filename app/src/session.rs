//! One loaded dataset inside a worker: the filter in force, cached sort orders and clause masks.
//!
//! [`Session`] is what the worker holds between messages. It answers page requests over the
//! records passing the filter only, in a cached sort order, and applies filters: an expression
//! (compiled by `wasm_core::filter`), a region list and a gene list, each reported with how many
//! records it removed. It is plain Rust over `wasm_core`, so the browser tests drive it directly.
//!
//! Re-filtering is fast when only one clause changed: the engine's [`FilterCache`] keeps each
//! top-level clause's matches keyed by its text, so only new clauses are evaluated; region and
//! gene masks are kept the same way, keyed by the list's text.
//!
//! A pedigree tied to the dataset ([`family`]) adds the chosen inheritance modes to the filter
//! as clauses: their union narrows the passing records like a gene list does.
//!
//! Data flow: `worker` → [`Session::filter`] / [`Session::rows`] → `protocol` events.

pub mod detail;
pub mod family;

use wasm_core::Dataset;
use wasm_core::annotation::{self, Schema, Summarizer};
use wasm_core::bitmap::Bitmap;
use wasm_core::filter::{Filter, FilterCache, FilterError, Mode, NoFiles, Span};
use wasm_core::regions::{GeneList, RegionSet};
use wasm_core::store::{Row, SortKey};

use crate::protocol::{
    AbsentFields, AnnotationSchema, ClauseReport, ClauseSource, FieldSchema, FilterRejection,
    FilterReport, FilterSchema,
};

/// Most rows one page may hold.
pub const MAX_PAGE_ROWS: u32 = 1000;
/// Sort orders kept at once (each is 4 bytes per record).
const CACHED_ORDERS: usize = 2;
/// Region masks kept at once (each is one bit per record: 625 KB for 5 million records).
const CACHED_MASKS: usize = 8;
/// What the engine's filter cache may hold before it is dropped: clause bitmaps (about 50 of a
/// 5-million-record file fit in 32 MB) plus extracted CSQ/ANN sub-fields (4 bytes per
/// transcript entry and a dictionary, tens of MB on an annotated genome).
const CLAUSE_CACHE_BYTES: usize = 128 << 20;
/// List entries named in a region or gene clause's label.
const LABEL_ENTRIES: usize = 3;

/// A page of the passing records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Records passing the filter in force.
    pub total: u64,
    pub rows: Vec<Row>,
    /// Per row its annotation summary; empty when the file has no annotation field.
    pub annotations: Vec<Option<annotation::Summary>>,
}

/// A loaded dataset and what the worker derived from it.
pub struct Session {
    dataset: Dataset,
    info_keys: Vec<String>,
    format_keys: Vec<String>,
    /// The annotation field the table summarises.
    annotation: Option<Schema>,
    /// Recently used full sort orders, most recent last.
    orders: Vec<(SortKey, bool, Vec<u32>)>,
    /// Records passing the filter in force; `None` when there is none.
    pass: Option<Bitmap>,
    /// The last sort order asked, restricted to `pass`.
    filtered: Option<(SortKey, bool, Vec<u32>)>,
    /// Matches per expression clause, keyed by clause text.
    clauses: FilterCache,
    /// Masks per region list, most recent last.
    masks: Vec<(String, Bitmap)>,
    /// The last gene list: its text, mask and the genes no record is annotated with.
    genes: Option<(String, Bitmap, Vec<String>)>,
    /// The pedigree and chosen inheritance modes, joined to every filter.
    family: Option<family::Family>,
    /// The filter in force as asked (expression, mode, regions, genes), to re-apply when the
    /// chosen modes change.
    applied: (String, Mode, Option<String>, Option<String>),
}

impl Session {
    pub fn new(dataset: Dataset) -> Self {
        // The table's columns are the export's (`export::document::Columns::of`).
        let wasm_core::export::document::Columns {
            info_keys,
            format_keys,
            annotation,
            ..
        } = wasm_core::export::document::Columns::of(&dataset.store);
        Self {
            dataset,
            info_keys,
            format_keys,
            annotation,
            orders: Vec::new(),
            pass: None,
            filtered: None,
            clauses: FilterCache::default(),
            masks: Vec::new(),
            genes: None,
            family: None,
            applied: (String::new(), Mode::Include, None, None),
        }
    }

    /// The same session showing `info_keys` and `format_keys` as columns: in streaming mode every
    /// set of kept records is shown with the columns the page chose from the file's prefix.
    pub fn with_columns(mut self, info_keys: &[String], format_keys: &[String]) -> Self {
        self.info_keys = info_keys.to_vec();
        self.format_keys = format_keys.to_vec();
        self
    }

    /// Shows `info_keys` and `format_keys` as columns from now on.
    pub fn set_columns(&mut self, info_keys: Vec<String>, format_keys: Vec<String>) {
        self.info_keys = info_keys;
        self.format_keys = format_keys;
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The dataset, giving up what was derived from it.
    pub fn into_dataset(self) -> Dataset {
        self.dataset
    }

    pub fn info_keys(&self) -> &[String] {
        &self.info_keys
    }

    pub fn format_keys(&self) -> &[String] {
        &self.format_keys
    }

    /// The tag of the annotation field the table summarises.
    pub fn annotation_tag(&self) -> Option<&str> {
        self.annotation.as_ref().map(|s| s.tag.as_str())
    }

    /// The records passing the filter in force as a bitmap; `None` when there is none.
    pub fn pass(&self) -> Option<&Bitmap> {
        self.pass.as_ref()
    }

    /// Records passing the filter in force.
    pub fn passing(&self) -> u64 {
        self.pass
            .as_ref()
            .map_or(self.dataset.store.len() as u64, Bitmap::count_ones)
    }

    /// The file's fields, samples, FILTER values and annotation layouts.
    pub fn schema(&self) -> FilterSchema {
        let store = &self.dataset.store;
        let fields = |fields: &wasm_core::store::Fields| {
            fields
                .iter()
                .map(|f| FieldSchema {
                    key: f.key.clone(),
                    number: f.number.clone(),
                    ty: format!("{:?}", f.ty),
                    description: f.description.clone(),
                })
                .collect()
        };
        let mut used = vec![false; store.filter_names().len()];
        for i in 0..store.len() {
            for &id in store.filter_ids(i) {
                used[usize::from(id)] = true;
            }
        }
        FilterSchema {
            info: fields(&store.info),
            format: fields(&store.format),
            samples: store.samples().to_vec(),
            filters: store
                .filter_names()
                .iter()
                .zip(&used)
                .filter(|(_, used)| **used)
                .map(|(name, _)| name.clone())
                .collect(),
            has_qual: (0..store.len()).any(|i| store.qual(i).is_some()),
            annotations: annotation::schemas(store)
                .into_iter()
                .map(|s| AnnotationSchema {
                    tag: s.tag,
                    subfields: s.subfields.into_iter().map(|f| f.name).collect(),
                })
                .collect(),
        }
    }

    /// Adds fields other shards of the same file have and this one has not, absent from every
    /// record here, so a filter naming them applies as to the whole file.
    pub fn add_absent_fields(&mut self, absent: &AbsentFields) {
        if !absent.info.is_empty() || !absent.format.is_empty() {
            self.dataset
                .store
                .add_absent_fields(&absent.info, &absent.format);
        }
    }

    /// Applies a filter. On error the filter in force stays.
    ///
    /// `now` is a clock in milliseconds, for the report's timing.
    pub fn filter(
        &mut self,
        expression: &str,
        mode: Mode,
        regions: Option<&str>,
        genes: Option<&str>,
        now: &dyn Fn() -> f64,
    ) -> Result<FilterReport, FilterRejection> {
        let started = now();
        let n = self.dataset.store.len();
        // Each step narrows `kept`; a step's `removed` is what it took from the previous steps'.
        let mut kept = Bitmap::ones(n);
        let mut clauses = Vec::new();
        let mut any = false;
        let mut warnings = Vec::new();
        if !expression.trim().is_empty() {
            any = true;
            warnings = self.expression_clauses(expression, mode, &mut kept, &mut clauses)?;
        }
        let regions = regions.filter(|t| !t.trim().is_empty());
        if let Some(text) = regions {
            any = true;
            let key = text.to_string();
            let mask = match self.cached(&key) {
                Some(mask) => mask,
                None => {
                    let set = RegionSet::parse(text)
                        .map_err(|error| FilterRejection::Regions { error })?;
                    let mask = set.mask(&self.dataset.store);
                    self.remember(key, mask.clone());
                    mask
                }
            };
            clauses.push(narrow(
                &mut kept,
                &mask,
                ClauseSource::Regions,
                list_label("regions", text),
                None,
            ));
        }
        let mut genes_not_found = Vec::new();
        let genes = genes.filter(|t| !t.trim().is_empty());
        if let Some(text) = genes {
            any = true;
            let (mask, missing) = match &self.genes {
                Some((t, mask, missing)) if t == text => (mask.clone(), missing.clone()),
                _ => {
                    let list =
                        GeneList::parse(text).map_err(|error| FilterRejection::Genes { error })?;
                    let matches = list.matches(&self.dataset.store);
                    let missing: Vec<String> = matches
                        .missing(&list)
                        .into_iter()
                        .map(str::to_string)
                        .collect();
                    self.genes = Some((text.to_string(), matches.mask.clone(), missing.clone()));
                    (matches.mask, missing)
                }
            };
            genes_not_found = missing;
            clauses.push(narrow(
                &mut kept,
                &mask,
                ClauseSource::Genes,
                list_label("genes", text),
                None,
            ));
        }
        if let Some(family) = self.family.as_ref().filter(|f| f.active()) {
            any = true;
            family.clauses(&mut kept, &mut clauses);
        }
        let passing = kept.count_ones();
        self.applied = (
            expression.to_string(),
            mode,
            regions.map(str::to_string),
            genes.map(str::to_string),
        );
        self.pass = any.then_some(kept);
        self.filtered = None;
        Ok(FilterReport {
            expression: expression.to_string(),
            mode,
            passing,
            total: n as u64,
            clauses,
            millis: now() - started,
            genes_not_found,
            warnings,
        })
    }

    /// Ties a pedigree (a PED file's text) to the dataset, or lets go of it (`None`). Chosen
    /// modes are dropped and the filter in force re-applied without them. On error the
    /// previous pedigree stays.
    pub fn set_pedigree(
        &mut self,
        ped: Option<&str>,
        options: wasm_core::inheritance::Options,
    ) -> Result<Option<crate::protocol::PedigreeInfo>, wasm_core::inheritance::InheritanceError>
    {
        // The build whose PARs apply: the header's, else chrX's length (as the CLI reads it).
        let options = wasm_core::inheritance::Options {
            build: options
                .build
                .or_else(|| wasm_core::inheritance::Build::of_summary(&self.dataset.summary)),
            ..options
        };
        let family = ped
            .map(|text| family::Family::new(&self.dataset.store, text, options))
            .transpose()?;
        let info = family
            .as_ref()
            .map(|f| f.info(self.dataset.store.samples()));
        let had_modes = self.family.as_ref().is_some_and(family::Family::active);
        self.family = family;
        if had_modes {
            // The old modes' records leave the filter in force; it applied before, so it does again.
            let _ = self.refilter();
        }
        Ok(info)
    }

    /// Keeps the records some of `modes` keeps, with the filter in force re-applied; fails the
    /// job without a pedigree.
    pub fn choose_modes(
        &mut self,
        modes: Vec<wasm_core::inheritance::Mode>,
    ) -> Result<FilterReport, FilterRejection> {
        if let Some(family) = self.family.as_mut() {
            family.choose(&self.dataset.store, modes);
        }
        self.refilter()
    }

    /// A pool's shard `part`: what its records offer compound hets in other shards (empty
    /// without a pedigree).
    pub fn part_evidence(&self, part: u32) -> wasm_core::inheritance::PartEvidence {
        self.family
            .as_ref()
            .map(|f| f.part_evidence(&self.dataset.store, part))
            .unwrap_or_default()
    }

    /// A pool's shard `part`: keeps every shard's merged evidence, for the modes and
    /// explanations that follow.
    pub fn other_parts(&mut self, part: u32, others: wasm_core::inheritance::PartEvidence) {
        if let Some(family) = self.family.as_mut() {
            family.other_parts(&self.dataset.store, part, others);
        }
    }

    /// Whether a pedigree is tied to the dataset.
    pub fn has_pedigree(&self) -> bool {
        self.family.is_some()
    }

    /// Record `record`'s explanations under `modes` (none without a pedigree).
    pub fn explain(
        &self,
        record: u64,
        modes: &[wasm_core::inheritance::Mode],
    ) -> Vec<wasm_core::inheritance::Explanation> {
        self.family
            .as_ref()
            .map(|f| f.explain(&self.dataset.store, record, modes))
            .unwrap_or_default()
    }

    /// Applies the filter in force again (after the chosen modes changed).
    fn refilter(&mut self) -> Result<FilterReport, FilterRejection> {
        let (expression, mode, regions, genes) = self.applied.clone();
        self.filter(
            &expression,
            mode,
            regions.as_deref(),
            genes.as_deref(),
            &now,
        )
    }

    /// Compiles the expression and narrows `kept` clause by clause; gives its warnings.
    fn expression_clauses(
        &mut self,
        expression: &str,
        mode: Mode,
        kept: &mut Bitmap,
        out: &mut Vec<ClauseReport>,
    ) -> Result<Vec<FilterError>, FilterRejection> {
        let store = &self.dataset.store;
        if self.clauses.heap_bytes() > CLAUSE_CACHE_BYTES {
            self.clauses.clear();
        }
        let filter = Filter::compile_cached(expression, store, mode, &NoFiles, &mut self.clauses)
            .map_err(|error| FilterRejection::Expression { error })?;
        let evaluation = filter.evaluate_cached(store, &mut self.clauses);
        out.extend(evaluation.clauses.into_iter().map(|c| ClauseReport {
            source: ClauseSource::Expression,
            text: c.text,
            span: Some(c.span),
            failing: c.failing,
            removed: c.removed,
        }));
        kept.and_with(&evaluation.pass);
        Ok(filter.warnings().to_vec())
    }

    fn cached(&mut self, key: &str) -> Option<Bitmap> {
        let k = self.masks.iter().position(|(k, _)| k == key)?;
        let entry = self.masks.remove(k);
        let mask = entry.1.clone();
        self.masks.push(entry);
        Some(mask)
    }

    fn remember(&mut self, key: String, mask: Bitmap) {
        if self.masks.len() >= CACHED_MASKS {
            self.masks.remove(0);
        }
        self.masks.push((key, mask));
    }

    /// Makes the passing records in a sort order the current one ([`Self::current_order`]),
    /// cached: the last two orders asked, and the last one restricted to the filter in force.
    fn prepare_order(&mut self, sort: SortKey, descending: bool) {
        let store = &self.dataset.store;
        let k = match self
            .orders
            .iter()
            .position(|(s, d, _)| *s == sort && *d == descending)
        {
            Some(k) => k,
            None => {
                if self.orders.len() >= CACHED_ORDERS {
                    self.orders.remove(0);
                }
                self.orders
                    .push((sort, descending, store.order(sort, descending)));
                self.orders.len() - 1
            }
        };
        // Most recently used last, so eviction drops the oldest.
        let entry = self.orders.remove(k);
        self.orders.push(entry);
        let full = &self.orders[self.orders.len() - 1].2;
        if let Some(pass) = &self.pass {
            let fresh = matches!(&self.filtered, Some((s, d, _)) if *s == sort && *d == descending);
            if !fresh {
                let kept = full
                    .iter()
                    .copied()
                    .filter(|&i| pass.get(i as usize))
                    .collect();
                self.filtered = Some((sort, descending, kept));
            }
        }
    }

    /// The order [`Self::prepare_order`] made current.
    fn current_order(&self) -> &[u32] {
        match &self.pass {
            None => self.orders.last().map_or(&[], |(_, _, o)| o.as_slice()),
            Some(_) => self.filtered.as_ref().map_or(&[], |(_, _, o)| o.as_slice()),
        }
    }

    /// The number of passing records and the sort keys of the first `limit` of them in a sort
    /// order ([`crate::shards::position_key`] for `Position`, QUAL or NaN for `Qual`), so the
    /// page can merge the orders of several shards.
    pub fn keys(&mut self, limit: u64, sort: SortKey, descending: bool) -> (u64, Vec<f64>) {
        self.prepare_order(sort, descending);
        let order = self.current_order();
        let store = &self.dataset.store;
        let end = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .min(order.len());
        let keys = order[..end]
            .iter()
            .map(|&i| sort_key(store, i as usize, sort))
            .collect();
        (order.len() as u64, keys)
    }

    /// Where record `record` (its index in file order) stands among the passing records in a
    /// sort order: its offset there, and its sort key (as [`Self::keys`] gives it) so a pool's
    /// page can place it in the merged order. `None` when it does not pass, or is no record.
    pub fn locate(&mut self, record: u64, sort: SortKey, descending: bool) -> Option<(u64, f64)> {
        let index = u32::try_from(record).ok()?;
        if record >= self.dataset.store.len() as u64 {
            return None;
        }
        self.prepare_order(sort, descending);
        let offset = self.current_order().iter().position(|&i| i == index)?;
        Some((
            offset as u64,
            sort_key(&self.dataset.store, index as usize, sort),
        ))
    }

    /// How many passing records of this shard (`part` of a pool) come before a record of shard
    /// `shard` whose merged sort key is `key`, in the pool's merged order
    /// ([`crate::shards::merged_before`]). `ranks` maps this shard's contig ids to the merged
    /// summary's ranks (used for `Position`).
    pub fn preceding(
        &mut self,
        sort: SortKey,
        descending: bool,
        (shard, key): (u32, f64),
        part: u32,
        ranks: &[u32],
    ) -> u64 {
        self.prepare_order(sort, descending);
        let store = &self.dataset.store;
        // Linear: a shard's own order need not agree with the merged contig ranks.
        self.current_order()
            .iter()
            .filter(|&&i| {
                let mine =
                    crate::shards::merged_key(sort_key(store, i as usize, sort), ranks, sort);
                crate::shards::merged_before(sort, descending, (part, mine), (shard, key))
            })
            .count() as u64
    }

    /// One page of the passing records in a sort order.
    pub fn rows(&mut self, offset: u64, limit: u32, sort: SortKey, descending: bool) -> Page {
        self.prepare_order(sort, descending);
        let store = &self.dataset.store;
        let order = self.current_order();
        let total = order.len() as u64;
        let start = offset.min(total) as usize;
        let end = offset
            .saturating_add(u64::from(limit.min(MAX_PAGE_ROWS)))
            .min(total) as usize;
        let page = &order[start..end];
        let rows = page
            .iter()
            .map(|&i| store.row(i as usize, &self.info_keys, &self.format_keys))
            .collect();
        let annotations = match &self.annotation {
            Some(schema) => {
                let summarizer = Summarizer::new(store, schema);
                page.iter()
                    .map(|&i| summarizer.summarize(i as usize))
                    .collect()
            }
            None => Vec::new(),
        };
        Page {
            total,
            rows,
            annotations,
        }
    }
}

/// Record `i`'s sort key for merging a pool's orders: [`crate::shards::position_key`] for
/// `Position`, QUAL or NaN (missing) for `Qual`.
fn sort_key(store: &wasm_core::store::VariantStore, i: usize, sort: SortKey) -> f64 {
    match sort {
        SortKey::Position => crate::shards::position_key(store.contig_of(i), store.pos(i)),
        SortKey::Qual => store.qual(i).map_or(f64::NAN, f64::from),
    }
}

/// Narrows `kept` by `keep` and reports the step.
fn narrow(
    kept: &mut Bitmap,
    keep: &Bitmap,
    source: ClauseSource,
    text: String,
    span: Option<Span>,
) -> ClauseReport {
    let before = kept.count_ones();
    kept.and_with(keep);
    ClauseReport {
        source,
        text,
        span,
        failing: keep.len() as u64 - keep.count_ones(),
        removed: before - kept.count_ones(),
    }
}

/// The entries of a region or gene list: split on line breaks, commas, spaces and tabs,
/// without `#` comments and BED `track`/`browser` lines.
fn list_entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .filter(|line| {
            let first = line.split_whitespace().next().unwrap_or("");
            first != "track" && first != "browser"
        })
        .flat_map(|line| line.split([',', ' ', '\t']))
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// `genes: BRCA1, BRCA2, TP53, … (12)`.
fn list_label(what: &str, text: &str) -> String {
    // BED lines name one region in three columns: label by line.
    let entries: Vec<String> = if what == "regions" {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty() && !l.starts_with("track") && !l.starts_with("browser"))
            .flat_map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                if cols.len() >= 3 {
                    vec![format!("{}:{}-{}", cols[0], cols[1], cols[2])]
                } else {
                    l.split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_string)
                        .collect()
                }
            })
            .collect()
    } else {
        list_entries(text).map(str::to_string).collect()
    };
    let shown = entries
        .iter()
        .take(LABEL_ENTRIES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if entries.len() > LABEL_ENTRIES {
        format!("{what}: {shown}, … ({} in all)", entries.len())
    } else {
        format!("{what}: {shown}")
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()` of the global scope: the page's and every worker's have one.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Milliseconds from the global scope's `performance` clock (sub-millisecond).
pub fn now() -> f64 {
    performance_now()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn lists_split_and_label() {
        let text = "# panel\nBRCA1, BRCA2\nTP53\tATM\n\nPALB2 # last";
        assert_eq!(
            list_entries(text).collect::<Vec<_>>(),
            ["BRCA1", "BRCA2", "TP53", "ATM", "PALB2"]
        );
        assert_eq!(
            list_label("genes", text),
            "genes: BRCA1, BRCA2, TP53, … (5 in all)"
        );
        assert_eq!(
            list_label("regions", "track name=x\nchr1\t99\t200\n"),
            "regions: chr1:99-200"
        );
        assert_eq!(list_label("regions", "1:1-5,2"), "regions: 1:1-5, 2");
    }
}
