//! [`QcStats::merge`]: the QC of a whole file from the QC of its parts (the app's shards).
//!
//! Every number is a count of records or genotypes, so the parts' counts add, keyed by name
//! (FILTER, contig, consequence, impact, sample, trio) or by bin. What is not a count is derived
//! again: each sample's mean allele balance from `sum` and the histogram's total, each trio's
//! Mendelian error rate from its errors and called sites.
//!
//! Order: one store lists contigs and FILTER names in the order its ids were given (the
//! header's, then names only records use, as first met), and leaves out those without records.
//! A part does not know the names other parts use, so the caller gives the whole file's order
//! (the app: the merged summary's contigs and its shards' FILTER names, merged as
//! [`crate::Summary::merged`] merges contigs; [`merged_names`] does that). Consequences and
//! impacts are ordered by severity, as [`super::compute`] orders them.

use crate::annotation::{CONSEQUENCE_TERMS, IMPACTS};

use super::{AlleleBalance, Consequences, NamedCount, QcStats};

impl QcStats {
    /// The QC of the records of every part together (parts of one file, in file order).
    /// `contigs` and `filters` are the whole file's contig and FILTER names in the store's
    /// order (names missing there go last, in the order the parts name them). `None` when
    /// `parts` is empty.
    pub fn merge(parts: &[QcStats], contigs: &[String], filters: &[String]) -> Option<QcStats> {
        let (first, rest) = parts.split_first()?;
        let mut out = first.clone();
        for part in rest {
            out.records += part.records;
            add_named(&mut out.per_filter, &part.per_filter);
            add_named(&mut out.per_contig, &part.per_contig);
            out.consequences = match (out.consequences.take(), &part.consequences) {
                (Some(mut a), Some(b)) => {
                    a.annotated += b.annotated;
                    add_named(&mut a.by_consequence, &b.by_consequence);
                    add_named(&mut a.by_impact, &b.by_impact);
                    Some(a)
                }
                (a, b) => a.or_else(|| b.clone()),
            };
            out.gq = match (out.gq.take(), &part.gq) {
                (Some(mut a), Some(b)) => {
                    for (x, y) in a.counts.iter_mut().zip(&b.counts) {
                        *x += y;
                    }
                    Some(a)
                }
                (a, b) => a.or_else(|| b.clone()),
            };
            out.allele_balance = match (out.allele_balance.take(), &part.allele_balance) {
                (Some(mut a), Some(b)) => {
                    for (x, y) in a.iter_mut().zip(b) {
                        add_balance(x, y);
                    }
                    Some(a)
                }
                (a, b) => a.or_else(|| b.clone()),
            };
            for (a, b) in out.trios.iter_mut().zip(&part.trios) {
                a.sites += b.sites;
                a.mendel_errors += b.mendel_errors;
                a.de_novo += b.de_novo;
            }
        }
        sort_by_names(&mut out.per_contig, contigs);
        // No FILTER (`.`) is last, as one store lists it.
        let no_filter = out
            .per_filter
            .iter()
            .position(|c| c.name == ".")
            .map(|k| out.per_filter.remove(k));
        sort_by_names(&mut out.per_filter, filters);
        out.per_filter.extend(no_filter);
        if let Some(Consequences {
            by_consequence,
            by_impact,
            ..
        }) = &mut out.consequences
        {
            let terms: Vec<String> = CONSEQUENCE_TERMS.iter().map(|t| t.to_string()).collect();
            sort_by_names(by_consequence, &terms);
            let impacts: Vec<String> = IMPACTS.iter().map(|t| t.to_string()).collect();
            sort_by_names(by_impact, &impacts);
        }
        for b in out.allele_balance.iter_mut().flatten() {
            let n = b.histogram.total();
            b.mean = (n > 0).then(|| b.sum / n as f64);
        }
        for t in &mut out.trios {
            t.mendel_error_rate = (t.sites > 0).then(|| t.mendel_errors as f64 / t.sites as f64);
        }
        Some(out)
    }
}

/// The names of several parts as one store would list them: the first part's, then each
/// later part's names not seen yet, in its order (as [`crate::Summary::merged`] merges
/// contigs: every part lists the header's names first, in the header's order).
pub fn merged_names(parts: &[Vec<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in parts.iter().flatten() {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

fn add_named(into: &mut Vec<NamedCount>, from: &[NamedCount]) {
    for c in from {
        match into.iter_mut().find(|k| k.name == c.name) {
            Some(k) => k.count += c.count,
            None => into.push(c.clone()),
        }
    }
}

/// Orders `counts` as `order` names them; names it lacks keep their order, after the rest.
fn sort_by_names(counts: &mut [NamedCount], order: &[String]) {
    counts.sort_by_key(|c| {
        order
            .iter()
            .position(|n| *n == c.name)
            .unwrap_or(order.len())
    });
}

fn add_balance(a: &mut AlleleBalance, b: &AlleleBalance) {
    for (x, y) in a.histogram.counts.iter_mut().zip(&b.histogram.counts) {
        *x += y;
    }
    a.without_reads += b.without_reads;
    a.sum += b.sum;
}
