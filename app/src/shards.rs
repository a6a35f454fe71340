//! The page's side of a pool load: one answer from the answers of several shards.
//!
//! A file read by a pool is held as shards, one per worker, in file order. The page asks every
//! shard the same question and merges the answers into the one a single worker holding the whole
//! file would give — the tests hold it to that ([`wasm_core::Summary::merged`] does the same for
//! summaries):
//! - a filter: counts summed per clause, genes missing from every shard;
//! - the schema: the header's fields, FILTER values used anywhere, QUAL present anywhere;
//! - a page of rows in a sort order: each shard's sort keys first ([`Request::Keys`]), from which
//!   [`plan_page`] finds which of each shard's records fall on the page (always a contiguous run
//!   of that shard's own order), then those rows, interleaved by [`PagePlan::sequence`].
//!
//! Ties keep file order as one store does: for `Position` descending the whole order is
//! reversed (later shards first on a tie), for `Qual` ties keep ascending file order in both
//! directions, and records without QUAL come last.
//!
//! [`Request::Keys`]: crate::protocol::Request::Keys

use std::cmp::Ordering;

use wasm_core::formats::ContigSummary;
use wasm_core::formats::indexed::{Overview, count_mismatches};
use wasm_core::store::{Row, SortKey};

use crate::protocol::{AbsentFields, FieldSchema, FilterReport, FilterSchema};

/// `2^35`: a `Position` key is `contig * POSITION_SCALE + POS`, exact in an f64 for positions
/// below 2^35 (CSI's deepest index reaches 2^34) and contig numbers below 2^18.
const POSITION_SCALE: f64 = 34_359_738_368.0;

/// The sort key of a record for merging: `Position` keys `contig * 2^35 + pos` with the shard's
/// own contig id (the page maps it to the merged rank), `Qual` keys QUAL or NaN (missing).
pub fn position_key(contig: u32, pos: u64) -> f64 {
    f64::from(contig) * POSITION_SCALE + pos as f64
}

/// The filter schema of the whole file from its shards' schemas.
pub fn merge_schemas(parts: &[FilterSchema]) -> FilterSchema {
    let mut out = parts.first().cloned().unwrap_or_default();
    for part in parts.iter().skip(1) {
        out.has_qual |= part.has_qual;
        for name in &part.filters {
            if !out.filters.contains(name) {
                out.filters.push(name.clone());
            }
        }
        for field in &part.info {
            if out.info_field(&field.key).is_none() {
                out.info.push(field.clone());
            }
        }
        for field in &part.format {
            if out.format_field(&field.key).is_none() {
                out.format.push(field.clone());
            }
        }
    }
    out
}

/// Per shard, the INFO and FORMAT keys the other shards' schemas have and its own lacks: fields
/// the header does not declare, first seen in another part of the file. Declared fields are in
/// every shard's schema, so only undeclared ones appear.
pub fn absent_fields(parts: &[FilterSchema]) -> Vec<AbsentFields> {
    let all = merge_schemas(parts);
    let missing = |all: &[FieldSchema], has: &[FieldSchema]| -> Vec<String> {
        all.iter()
            .filter(|f| !has.iter().any(|h| h.key == f.key))
            .map(|f| f.key.clone())
            .collect()
    };
    parts
        .iter()
        .map(|part| AbsentFields {
            info: missing(&all.info, &part.info),
            format: missing(&all.format, &part.format),
        })
        .collect()
}

/// The report of a filter applied to every shard. `None` when `parts` is empty.
pub fn merge_reports(parts: &[FilterReport]) -> Option<FilterReport> {
    let (first, rest) = parts.split_first()?;
    let mut out = first.clone();
    for part in rest {
        out.passing += part.passing;
        out.total += part.total;
        out.millis = out.millis.max(part.millis);
        for (clause, other) in out.clauses.iter_mut().zip(&part.clauses) {
            clause.failing += other.failing;
            clause.removed += other.removed;
        }
        out.genes_not_found
            .retain(|gene| part.genes_not_found.contains(gene));
        // Every shard compiles the same expression: one warning per kind and span.
        for warning in &part.warnings {
            if !out
                .warnings
                .iter()
                .any(|w| w.kind == warning.kind && w.span == warning.span)
            {
                out.warnings.push(warning.clone());
            }
        }
    }
    Some(out)
}

/// The warning for an index whose per-contig counts differ from the records read, naming the
/// first contig that differs; `None` when they agree.
pub fn index_mismatch(
    overview: &Overview,
    contigs: &[ContigSummary],
    index_name: &str,
) -> Option<String> {
    let differ = count_mismatches(overview, contigs);
    let (contig, in_index, in_file) = differ.first()?;
    let more = match differ.len() {
        1 => String::new(),
        n => format!(" (and {} more contigs differ)", n - 1),
    };
    Some(format!(
        "the index “{index_name}” does not match the data: it counts {in_index} records on \
         contig {contig}, the file has {in_file}{more}. It was made for another version of the \
         file; make it again (tabix -p vcf, or bcftools index)"
    ))
}

/// Which records of each shard make up one page of the merged order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// Per shard, `(offset, count)` in that shard's own order of passing records.
    pub ranges: Vec<(u64, u32)>,
    /// The shard of each row of the page, in page order.
    pub sequence: Vec<usize>,
}

/// Plans the page `[offset, offset + limit)` of the merged order from each shard's first keys
/// (at least `offset + limit` of them, or all it has). `ranks[s]` maps shard `s`'s contig ids
/// to ranks in the merged summary ([`wasm_core::Summary::contig_ranks`]); it is used for
/// `Position` only.
pub fn plan_page(
    keys: &[Vec<f64>],
    ranks: &[Vec<u32>],
    sort: SortKey,
    descending: bool,
    offset: u64,
    limit: u32,
) -> PagePlan {
    let global: Vec<Vec<f64>> = keys
        .iter()
        .enumerate()
        .map(|(s, keys)| {
            let ranks = ranks.get(s).map_or(&[][..], Vec::as_slice);
            keys.iter().map(|&k| merged_key(k, ranks, sort)).collect()
        })
        .collect();
    let before = |a: (usize, f64), b: (usize, f64)| -> bool {
        compare(sort, descending, a, b) == Ordering::Less
    };
    let mut next = vec![0usize; keys.len()];
    let mut ranges = vec![(0u64, 0u32); keys.len()];
    let mut sequence = Vec::new();
    let end = offset.saturating_add(u64::from(limit));
    let mut taken = 0u64;
    while taken < end {
        let mut best: Option<(usize, f64)> = None;
        for (s, keys) in global.iter().enumerate() {
            if let Some(&k) = keys.get(next[s])
                && best.is_none_or(|b| before((s, k), b))
            {
                best = Some((s, k));
            }
        }
        let Some((s, _)) = best else { break };
        if taken < offset {
            ranges[s].0 += 1;
        } else {
            ranges[s].1 += 1;
            sequence.push(s);
        }
        next[s] += 1;
        taken += 1;
    }
    PagePlan { ranges, sequence }
}

/// A shard's sort key in the merged numbering: for `Position` its contig id becomes the merged
/// summary's rank (`ranks`, the shard's row of [`wasm_core::Summary::contig_ranks`]); a `Qual`
/// key is the same in every shard.
pub fn merged_key(key: f64, ranks: &[u32], sort: SortKey) -> f64 {
    match sort {
        SortKey::Qual => key,
        SortKey::Position => {
            let contig = (key / POSITION_SCALE).floor();
            let pos = key - contig * POSITION_SCALE;
            let rank = ranks
                .get(contig as usize)
                .copied()
                .unwrap_or(u32::MAX >> 14);
            position_key(rank, pos as u64)
        }
    }
}

/// Whether record `a` comes before record `b` in a pool's merged order, each given as
/// `(shard, merged key)` ([`merged_key`]) of different shards: what a shard counts to place a
/// record of another shard ([`crate::session::Session::preceding`]).
pub fn merged_before(sort: SortKey, descending: bool, a: (u32, f64), b: (u32, f64)) -> bool {
    compare(sort, descending, (a.0 as usize, a.1), (b.0 as usize, b.1)) == Ordering::Less
}

/// The merged order of two records `(shard, key)` of different shards (or the same shard,
/// where each shard's own order already decides and this is never asked).
fn compare(
    sort: SortKey,
    descending: bool,
    (sa, ka): (usize, f64),
    (sb, kb): (usize, f64),
) -> Ordering {
    match sort {
        SortKey::Position => {
            let o = ka.total_cmp(&kb).then(sa.cmp(&sb));
            if descending { o.reverse() } else { o }
        }
        SortKey::Qual => match (ka.is_nan(), kb.is_nan()) {
            (false, false) => {
                let o = ka.total_cmp(&kb);
                (if descending { o.reverse() } else { o }).then(sa.cmp(&sb))
            }
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (true, true) => sa.cmp(&sb),
        },
    }
}

/// Interleaves the shards' rows (each shard's run from `plan.ranges`) in page order, renumbering
/// each row's file-order index by the records of the shards before it (`bases[s]`).
pub fn merge_rows<T>(
    plan: &PagePlan,
    mut parts: Vec<Vec<(Row, T)>>,
    bases: &[u64],
) -> Vec<(Row, T)> {
    for part in &mut parts {
        part.reverse();
    }
    plan.sequence
        .iter()
        .filter_map(|&s| {
            let (mut row, extra) = parts.get_mut(s)?.pop()?;
            row.index += bases.get(s).copied().unwrap_or(0);
            Some((row, extra))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn position_keys_round_trip() {
        let k = position_key(3, 10_000_000_000);
        let plan = plan_page(
            &[vec![k]],
            &[vec![0, 0, 0, 7]],
            SortKey::Position,
            false,
            0,
            1,
        );
        assert_eq!(plan.sequence, [0]);
        assert!(position_key(1, 0) > position_key(0, (1 << 35) - 1));
    }

    #[wasm_bindgen_test]
    fn qual_ties_keep_file_order_and_missing_last() {
        let nan = f64::NAN;
        let keys = vec![vec![5.0, 1.0, nan], vec![5.0, 3.0, nan]];
        let ranks = vec![Vec::new(), Vec::new()];
        let plan = plan_page(&keys, &ranks, SortKey::Qual, true, 0, 10);
        assert_eq!(plan.sequence, [0, 1, 1, 0, 0, 1]);
        let plan = plan_page(&keys, &ranks, SortKey::Qual, true, 2, 2);
        assert_eq!(plan.ranges, [(1, 1), (1, 1)]);
        assert_eq!(plan.sequence, [1, 0]);
    }
}
