//! The QC panel's badges: one number a reader checks first, its stated expected range, whether
//! the file is inside it, and why the range is what it is (CLINICAL.md §5; the ranges are the
//! usual ones of human germline call sets, e.g. GATK's and the GIAB papers').
//!
//! Where it sits: [`badges`] reads the merged [`QcReport`], [`pedigree_badges`] the pedigree
//! check's result when a PED is loaded (its sex and relatedness, beside the others: a swapped
//! sample shows there before any variant is read); [`super::QcPanel`] draws them
//! (`qc-badge-<id>`, `data-value` the number, `data-state` ok / warn / none).

use wasm_core::pedigree::Sex;
use wasm_core::pedigree_check::PedigreeCheck;

use crate::worker_client::QcReport;

/// Whether a number is in its expected range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Warn,
    /// Nothing to judge (no SNPs, no samples, no reads).
    NotApplicable,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::NotApplicable => "none",
        }
    }
}

/// One badge.
#[derive(Debug, Clone, PartialEq)]
pub struct Badge {
    /// `tstv`, `het-hom`, `allele-balance`, `missing`, `mendel`; `sex`, `relatedness`.
    pub id: &'static str,
    pub label: &'static str,
    /// The number judged (`None`: nothing to judge).
    pub value: Option<f64>,
    /// The number as shown.
    pub text: String,
    pub state: State,
    /// The stated expectation.
    pub threshold: &'static str,
    /// Why, and what a number outside it suggests.
    pub reason: &'static str,
}

/// Ts/Tv: whole-genome sets ≈ 2.0–2.1, exome sets ≈ 2.8–3.3.
pub const TSTV_WGS: (f64, f64) = (2.0, 2.1);
pub const TSTV_EXOME: (f64, f64) = (2.8, 3.3);
/// Het / hom-alt per sample in an outbred genome.
pub const HET_HOM: (f64, f64) = (1.3, 2.3);
/// Mean het allele balance.
pub const BALANCE: (f64, f64) = (0.4, 0.6);
/// Missing genotypes, share of all genotypes.
pub const MISSING_MAX: f64 = 0.02;
/// Mendelian errors per called site of a trio's child (bcftools +mendelian's count, ungated).
pub const MENDEL_MAX: f64 = 0.01;

fn within(v: f64, (lo, hi): (f64, f64)) -> bool {
    (lo..=hi).contains(&v)
}

/// The badges of a report: Ts/Tv, het/hom-alt, allele balance and missing rate when the file
/// has what they need, the Mendelian error rate when trios were judged.
pub fn badges(r: &QcReport) -> Vec<Badge> {
    let s = &r.bcftools;
    let mut out = Vec::new();
    let tstv = (s.tstv.tv > 0).then(|| s.tstv.ts as f64 / s.tstv.tv as f64);
    out.push(Badge {
        id: "tstv",
        label: "Ts/Tv",
        value: tstv,
        text: tstv.map_or("—".into(), |v| format!("{v:.2}")),
        state: match tstv {
            None => State::NotApplicable,
            Some(v) if within(v, TSTV_WGS) || within(v, TSTV_EXOME) => State::Ok,
            Some(_) => State::Warn,
        },
        threshold: "genome ≈ 2.0–2.1, exome ≈ 2.8–3.3",
        reason: "true human SNVs are transitions about twice as often as transversions \
                 (three times in exons); random errors give about 0.5, so a low ratio means \
                 false calls",
    });
    let ratios: Vec<f64> = s
        .samples
        .iter()
        .filter(|c| c.non_ref_hom > 0)
        .map(|c| c.hets as f64 / c.non_ref_hom as f64)
        .collect();
    if !s.samples.is_empty() {
        let (lo, hi) = ratios
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        out.push(Badge {
            id: "het-hom",
            label: "het / hom-alt",
            value: (!ratios.is_empty()).then_some(lo),
            text: match ratios.len() {
                0 => "—".into(),
                1 => format!("{lo:.2}"),
                _ => format!("{lo:.2}–{hi:.2}"),
            },
            state: if ratios.is_empty() {
                State::NotApplicable
            } else if ratios.iter().all(|&v| within(v, HET_HOM)) {
                State::Ok
            } else {
                State::Warn
            },
            threshold: "per sample ≈ 1.3–2.3 (a genome)",
            reason: "lower suggests consanguinity or lost het calls, higher contamination \
                     or a sample mix; exomes and panels run lower",
        });
    }
    if let Some(balances) = &r.qc.allele_balance {
        let (sum, n) = balances.iter().fold((0.0, 0u64), |(s, n), b| {
            (s + b.sum, n + b.histogram.total())
        });
        let mean = (n > 0).then(|| sum / n as f64);
        out.push(Badge {
            id: "allele-balance",
            label: "het allele balance",
            value: mean,
            text: mean.map_or("—".into(), |v| format!("{v:.3}")),
            state: match mean {
                None => State::NotApplicable,
                Some(v) if within(v, BALANCE) => State::Ok,
                Some(_) => State::Warn,
            },
            threshold: "centred on 0.5 (mean 0.4–0.6)",
            reason: "a heterozygous call should show each allele in about half its reads; a \
                     skew suggests contamination, reference bias or mis-called hets",
        });
    }
    let genotypes = s.summary.records * s.summary.samples;
    if genotypes > 0 {
        let missing: u64 = s.samples.iter().map(|c| c.missing).sum();
        let rate = missing as f64 / genotypes as f64;
        out.push(Badge {
            id: "missing",
            label: "missing genotypes",
            value: Some(rate),
            text: format!("{:.2} %", rate * 100.0),
            state: if rate <= MISSING_MAX {
                State::Ok
            } else {
                State::Warn
            },
            threshold: "≤ 2 % of genotypes",
            reason: "many missing calls mean low coverage or a failed sample",
        });
    }
    if !r.qc.trios.is_empty() {
        let worst =
            r.qc.trios
                .iter()
                .filter_map(|t| t.mendel_error_rate)
                .fold(None::<f64>, |m, v| Some(m.map_or(v, |m| m.max(v))));
        out.push(Badge {
            id: "mendel",
            label: "Mendelian errors",
            value: worst,
            text: worst.map_or("—".into(), |v| format!("{:.2} %", v * 100.0)),
            state: match worst {
                None => State::NotApplicable,
                Some(v) if v <= MENDEL_MAX => State::Ok,
                Some(_) => State::Warn,
            },
            threshold: "≤ 1 % of the child's called sites (worst trio)",
            reason: "more errors than genotyping noise explains point to a sample swap or a \
                     wrong PED",
        });
    }
    out
}

/// The pedigree check's two badges: samples whose PED sex contradicts the sex their chrX
/// heterozygosity gives, and pairs whose relatedness contradicts the PED (peddy's checks,
/// CLINICAL.md §4; the numbers behind each are in the Family panel's pedigree check).
pub fn pedigree_badges(check: &PedigreeCheck) -> Vec<Badge> {
    let judged = check
        .sex
        .iter()
        .filter(|s| s.declared.is_some_and(|d| d != Sex::Unknown) && s.predicted != Sex::Unknown)
        .count();
    let mismatches: Vec<&str> = check
        .sex
        .iter()
        .filter(|s| s.mismatch)
        .map(|s| s.sample.as_str())
        .collect();
    let sex = Badge {
        id: "sex",
        label: "sex (PED vs chrX)",
        value: (judged > 0).then_some(mismatches.len() as f64),
        text: match (judged, mismatches.len()) {
            (0, _) if check.x_sites == 0 => "no chrX sites".into(),
            (0, _) => "not judged".into(),
            (n, 0) => format!("{n} of {n} agree"),
            (n, k) => format!("{k} of {n} differ: {}", mismatches.join(", ")),
        },
        state: match (judged, mismatches.len()) {
            (0, _) => State::NotApplicable,
            (_, 0) => State::Ok,
            _ => State::Warn,
        },
        threshold: "every sample's PED sex is the sex its chrX heterozygosity gives",
        reason: "a contradiction is a sample swap, a PED error or a sex-chromosome aneuploidy; \
                 samples of unknown PED sex or too few chrX sites are not judged",
    };
    let flagged: Vec<String> = check
        .pairs
        .iter()
        .filter(|p| p.flagged)
        .map(|p| {
            let name = |i: u32| check.samples.get(i as usize).map_or("?", String::as_str);
            format!("{}–{}", name(p.a), name(p.b))
        })
        .collect();
    let pairs = check.pairs_total;
    let relatedness = Badge {
        id: "relatedness",
        label: "relatedness (PED vs genotypes)",
        value: (pairs > 0).then_some(flagged.len() as f64),
        text: match (pairs, flagged.len()) {
            (0, _) => "—".into(),
            (n, 0) => format!("{n} of {n} pairs fit the PED"),
            (n, k) => format!("{k} of {n} pairs differ: {}", flagged.join(", ")),
        },
        state: match (pairs, flagged.len()) {
            (0, _) => State::NotApplicable,
            (_, 0) => State::Ok,
            _ => State::Warn,
        },
        threshold: "each pair shares alleles as its PED relation expects (peddy's ranges)",
        reason: "a parent and child sharing no allele at many sites, or 'unrelated' samples \
                 sharing as siblings do, is a sample swap, a non-paternity or a PED error",
    };
    vec![sex, relatedness]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::StatsScope;
    use wasm_bindgen_test::wasm_bindgen_test;
    use wasm_core::stats::bcftools::{BcftoolsStats, SampleCounts, SummaryNumbers, TsTv};
    use wasm_core::stats::qc::QcStats;

    fn report(ts: u64, tv: u64, hets: u64, homs: u64, missing: u64) -> QcReport {
        QcReport {
            scope: StatsScope::Whole,
            bcftools: BcftoolsStats {
                summary: SummaryNumbers {
                    samples: 1,
                    records: 100,
                    ..SummaryNumbers::default()
                },
                tstv: TsTv {
                    ts,
                    tv,
                    ..TsTv::default()
                },
                samples: vec![SampleCounts {
                    sample: "S".into(),
                    hets,
                    non_ref_hom: homs,
                    missing,
                    ..SampleCounts::default()
                }],
                ..BcftoolsStats::default()
            },
            qc: QcStats {
                records: 100,
                per_filter: Vec::new(),
                per_contig: Vec::new(),
                consequences: None,
                gq: None,
                allele_balance: None,
                trios: Vec::new(),
            },
            trio_problem: None,
            records: 100,
            millis: 1.0,
        }
    }

    fn state(r: &QcReport, id: &str) -> State {
        badges(r).into_iter().find(|b| b.id == id).unwrap().state
    }

    #[wasm_bindgen_test]
    fn ranges_are_the_stated_ones() {
        // A genome's 2.05 and an exome's 3.0 are both fine; 2.5 and 0.5 are not.
        assert_eq!(state(&report(205, 100, 15, 10, 0), "tstv"), State::Ok);
        assert_eq!(state(&report(300, 100, 15, 10, 0), "tstv"), State::Ok);
        assert_eq!(state(&report(250, 100, 15, 10, 0), "tstv"), State::Warn);
        assert_eq!(state(&report(50, 100, 15, 10, 0), "tstv"), State::Warn);
        assert_eq!(
            state(&report(5, 0, 15, 10, 0), "tstv"),
            State::NotApplicable
        );
        assert_eq!(state(&report(205, 100, 15, 10, 0), "het-hom"), State::Ok);
        assert_eq!(state(&report(205, 100, 50, 10, 0), "het-hom"), State::Warn);
        assert_eq!(state(&report(205, 100, 15, 10, 2), "missing"), State::Ok);
        assert_eq!(state(&report(205, 100, 15, 10, 3), "missing"), State::Warn);
        // No allele balance without AD, no Mendelian badge without trios.
        let ids: Vec<_> = badges(&report(1, 1, 1, 1, 0))
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, ["tstv", "het-hom", "missing"]);
    }
}
