//! The numbers behind each QC plot as tables: a header and rows of text, the same numbers the
//! plot draws, which the panel offers as TSV (`qc-download-*`) and from which each plot reads
//! its values. Counts are printed as integers, ratios with four decimals.
//!
//! Where it sits: between the merged [`QcReport`] and [`super::QcPanel`]'s drawings.

use wasm_core::stats::bcftools::BcftoolsStats;
use wasm_core::stats::bins::DepthKey;
use wasm_core::stats::qc::NamedCount;

use crate::worker_client::QcReport;

/// A plot's numbers: column names, then one row per value.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Tab-separated text, a header line first (`#`-less, as spreadsheets read it).
    pub fn tsv(&self) -> String {
        let mut out = self.header.join("\t");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&row.join("\t"));
            out.push('\n');
        }
        out
    }
}

/// A ratio as the tables print it; empty when the divisor is 0.
pub fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        String::new()
    } else {
        format!("{:.4}", a as f64 / b as f64)
    }
}

/// ST: the twelve substitution types.
pub fn substitutions(s: &BcftoolsStats) -> Table {
    Table {
        header: vec!["type", "count"],
        rows: s
            .substitutions
            .iter()
            .map(|(t, n)| vec![t.clone(), n.to_string()])
            .collect(),
    }
}

/// Ts/Tv of first-ALT SNPs by QUAL bin (bcftools' QUAL section): per bin, and cumulative over
/// the records at that QUAL or above (plot-vcfstats' "Ts/Tv by QUAL").
pub fn tstv_by_qual(s: &BcftoolsStats) -> Table {
    let rows_with_snps: Vec<_> = s.qual.iter().filter(|q| q.snps > 0).collect();
    let mut cumulative = vec![(0u64, 0u64); rows_with_snps.len()];
    let (mut ts, mut tv) = (0, 0);
    for (k, q) in rows_with_snps.iter().enumerate().rev() {
        ts += q.ts;
        tv += q.tv;
        cumulative[k] = (ts, tv);
    }
    Table {
        header: vec![
            "QUAL",
            "ts",
            "tv",
            "ts/tv",
            "ts (QUAL >= this)",
            "tv (QUAL >= this)",
            "ts/tv (QUAL >= this)",
        ],
        rows: rows_with_snps
            .iter()
            .zip(cumulative)
            .map(|(q, (cts, ctv))| {
                vec![
                    q.qual.map_or(".".into(), |v| format!("{v:.1}")),
                    q.ts.to_string(),
                    q.tv.to_string(),
                    ratio(q.ts, q.tv),
                    cts.to_string(),
                    ctv.to_string(),
                    ratio(cts, ctv),
                ]
            })
            .collect(),
    }
}

/// The Ts/Tv-by-QUAL plot's points: QUAL bins with SNPs gathered into up to `groups` runs of
/// about equal SNP counts, in QUAL order; per group `(label, x, ratio of the group)` and
/// `(label, x, ratio of every SNP at the group's lowest QUAL or above)`, x the group's rank.
#[allow(clippy::type_complexity)]
pub fn tstv_by_qual_groups(
    s: &BcftoolsStats,
    groups: usize,
) -> (Vec<(String, f64, f64)>, Vec<(String, f64, f64)>) {
    let bins: Vec<_> = s.qual.iter().filter(|q| q.ts + q.tv > 0).collect();
    let total: u64 = bins.iter().map(|q| q.ts + q.tv).sum();
    let target = total.div_ceil(groups.max(1) as u64).max(1);
    let mut runs: Vec<(String, u64, u64)> = Vec::new();
    let (mut ts, mut tv, mut label) = (0u64, 0u64, None::<String>);
    for q in &bins {
        label.get_or_insert_with(|| q.qual.map_or(".".into(), |v| format!("{v:.1}")));
        ts += q.ts;
        tv += q.tv;
        if ts + tv >= target {
            runs.push((label.take().unwrap_or_default(), ts, tv));
            (ts, tv) = (0, 0);
        }
    }
    if let Some(label) = label {
        runs.push((label, ts, tv));
    }
    let (mut per, mut cumulative) = (Vec::new(), Vec::new());
    let (mut cts, mut ctv) = (0u64, 0u64);
    let mut at_or_above = vec![(0u64, 0u64); runs.len()];
    for (k, r) in runs.iter().enumerate().rev() {
        cts += r.1;
        ctv += r.2;
        at_or_above[k] = (cts, ctv);
    }
    for (k, (label, ts, tv)) in runs.into_iter().enumerate() {
        let name = format!("QUAL ≥ {label}");
        if tv > 0 {
            per.push((name.clone(), k as f64, ts as f64 / tv as f64));
        }
        let (cts, ctv) = at_or_above[k];
        if ctv > 0 {
            cumulative.push((name, k as f64, cts as f64 / ctv as f64));
        }
    }
    (per, cumulative)
}

/// IDD: indel lengths (deletions negative) with sites.
pub fn indel_lengths(s: &BcftoolsStats) -> Table {
    Table {
        header: vec!["length", "sites", "genotypes", "mean VAF"],
        rows: s
            .indel_lengths
            .iter()
            .filter(|d| d.sites > 0)
            .map(|d| {
                vec![
                    d.length.to_string(),
                    d.sites.to_string(),
                    d.genotypes.to_string(),
                    d.mean_vaf.map_or(String::new(), |v| format!("{v:.4}")),
                ]
            })
            .collect(),
    }
}

/// AF: the allele-frequency spectrum (singletons in the lowest bin, as bcftools prints it).
pub fn allele_frequency(s: &BcftoolsStats) -> Table {
    Table {
        header: vec!["allele frequency", "SNPs", "ts", "tv", "indels"],
        rows: s
            .af
            .iter()
            .map(|b| {
                vec![
                    format!("{:.6}", b.af),
                    b.snps.to_string(),
                    b.ts.to_string(),
                    b.tv.to_string(),
                    b.indels.to_string(),
                ]
            })
            .collect(),
    }
}

/// DP: genotypes and sites per depth.
pub fn depth(s: &BcftoolsStats) -> Table {
    Table {
        header: vec!["depth", "genotypes", "sites"],
        rows: s
            .depth
            .iter()
            .map(|d| {
                let label = match d.depth {
                    DepthKey::Below => "<0".to_string(),
                    DepthKey::Exact(v) => v.to_string(),
                    DepthKey::Above => ">500".to_string(),
                };
                vec![label, d.genotypes.to_string(), d.sites.to_string()]
            })
            .collect(),
    }
}

/// FORMAT/GQ per value (the last bin: 100 and above).
pub fn gq(r: &QcReport) -> Table {
    let rows = r.qc.gq.as_ref().map_or_else(Vec::new, |h| {
        h.counts
            .iter()
            .enumerate()
            .map(|(k, n)| {
                let label = if k + 1 == h.counts.len() {
                    format!(">={k}")
                } else {
                    k.to_string()
                };
                vec![label, n.to_string()]
            })
            .collect()
    });
    Table {
        header: vec!["GQ", "genotypes"],
        rows,
    }
}

/// Het allele balance per sample, 20 bins of 0.05.
pub fn allele_balance(r: &QcReport) -> Table {
    let mut rows = Vec::new();
    for b in r.qc.allele_balance.iter().flatten() {
        for (k, n) in b.histogram.counts.iter().enumerate() {
            let start = b.histogram.start + k as f64 * b.histogram.width;
            rows.push(vec![
                b.sample.clone(),
                format!("{start:.2}"),
                format!("{:.2}", start + b.histogram.width),
                n.to_string(),
            ]);
        }
    }
    Table {
        header: vec!["sample", "balance from", "balance to", "hets"],
        rows,
    }
}

/// The per-sample table (bcftools' PSC, with the ratios a reader checks).
pub fn samples(s: &BcftoolsStats) -> Table {
    Table {
        header: vec![
            "sample",
            "hom-ref",
            "hom-alt",
            "het",
            "het/hom-alt",
            "ts",
            "tv",
            "ts/tv",
            "indels",
            "singletons",
            "missing",
            "mean depth",
        ],
        rows: s
            .samples
            .iter()
            .map(|c| {
                vec![
                    c.sample.clone(),
                    c.ref_hom.to_string(),
                    c.non_ref_hom.to_string(),
                    c.hets.to_string(),
                    ratio(c.hets, c.non_ref_hom),
                    c.ts.to_string(),
                    c.tv.to_string(),
                    ratio(c.ts, c.tv),
                    c.indels.to_string(),
                    c.singletons.to_string(),
                    c.missing.to_string(),
                    format!("{:.1}", c.mean_depth),
                ]
            })
            .collect(),
    }
}

/// Counts per name (FILTER, contig, consequence, impact).
pub fn named(header: &'static str, counts: &[NamedCount]) -> Table {
    Table {
        header: vec![header, "records"],
        rows: counts
            .iter()
            .map(|c| vec![c.name.clone(), c.count.to_string()])
            .collect(),
    }
}

/// The trios' Mendelian error rate and de novo count.
pub fn trios(r: &QcReport) -> Table {
    Table {
        header: vec![
            "child",
            "father",
            "mother",
            "called sites",
            "Mendelian errors",
            "error rate",
            "de novo",
        ],
        rows: r
            .qc
            .trios
            .iter()
            .map(|t| {
                vec![
                    t.child.clone(),
                    t.father.clone(),
                    t.mother.clone(),
                    t.sites.to_string(),
                    t.mendel_errors.to_string(),
                    ratio(t.mendel_errors, t.sites),
                    t.de_novo.to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn cumulative_ts_tv_counts_the_bins_at_or_above() {
        use wasm_core::stats::bcftools::QualBin;
        let bin = |q: f32, ts, tv| QualBin {
            qual: Some(q),
            snps: ts + tv,
            ts,
            tv,
            indels: 0,
        };
        let s = BcftoolsStats {
            qual: vec![bin(10.0, 1, 1), bin(20.0, 0, 0), bin(30.0, 4, 2)],
            ..BcftoolsStats::default()
        };
        let t = tstv_by_qual(&s);
        assert_eq!(t.rows.len(), 2, "bins without SNPs are left out");
        assert_eq!(t.rows[0], ["10.0", "1", "1", "1.0000", "5", "3", "1.6667"]);
        assert_eq!(t.rows[1], ["30.0", "4", "2", "2.0000", "4", "2", "2.0000"]);
        assert_eq!(
            t.tsv().lines().next().unwrap(),
            "QUAL\tts\ttv\tts/tv\tts (QUAL >= this)\ttv (QUAL >= this)\tts/tv (QUAL >= this)"
        );
        assert_eq!(ratio(1, 0), "");
        // Groups of at least 2 of the 8 SNPs: each bin with SNPs is one.
        let (per, cumulative) = tstv_by_qual_groups(&s, 4);
        assert_eq!(
            per,
            [
                ("QUAL ≥ 10.0".into(), 0.0, 1.0),
                ("QUAL ≥ 30.0".into(), 1.0, 2.0)
            ]
        );
        assert_eq!(cumulative[0], ("QUAL ≥ 10.0".into(), 0.0, 5.0 / 3.0));
    }
}
