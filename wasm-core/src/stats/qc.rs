//! What a clinician checks beyond `bcftools stats` (CLINICAL.md §5): records per FILTER and
//! per contig, the most severe consequence and impact per variant (VEP `CSQ`, SnpEff `ANN`,
//! bcftools `BCSQ`), the GQ distribution, het allele balance per sample, and — from the
//! pedigree's judgements — the Mendelian error rate and de novo count per trio
//! ([`super::trios`]).
//!
//! Where it sits: after ingest, beside [`super::bcftools`], over the same kept records (walked
//! in order, no list of them built); `enclave stats --qc` prints it as JSON and the app's QC
//! panel draws it. Every histogram has a fixed number of bins.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::annotation::{self, IMPACTS, Schema};
use crate::bitmap::Bitmap;
use crate::store::{ColumnData, FLOAT_MISSING, INT_MISSING, Ints, VariantStore};

use super::genotypes::{GenotypeTable, GtType};
use super::trios::{TrioCalls, TrioQc, trio_qc};

mod merge;
pub use merge::merged_names;

/// A name and how many records (or genotypes) it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

/// Records by their most severe consequence and impact, for one annotation field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Consequences {
    /// The INFO field read (`CSQ`, `ANN`, `BCSQ`, `EFF`).
    pub field: String,
    /// Records with at least one annotation entry.
    pub annotated: u64,
    /// By the most severe consequence over the record's entries, as its Ensembl term, most
    /// severe first; terms no ranking knows are counted under `unknown`.
    pub by_consequence: Vec<NamedCount>,
    /// By the most severe impact over the record's entries (`IMPACT` / `Annotation_Impact`,
    /// else the impact of the most severe consequence): `HIGH`, `MODERATE`, `LOW`,
    /// `MODIFIER`, then `unknown`.
    pub by_impact: Vec<NamedCount>,
}

/// A histogram over equal bins.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    /// The lower edge of the first bin and the width of each.
    pub start: f64,
    pub width: f64,
    /// Counts per bin; the last bin also holds everything above it.
    pub counts: Vec<u64>,
}

impl Histogram {
    fn new(start: f64, width: f64, bins: usize) -> Self {
        Self {
            start,
            width,
            counts: vec![0; bins],
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Het allele balance of one sample: `alt / (ref + alt)` reads (AD) over its ref/alt het
/// genotypes, in 20 bins of 0.05 (1.0 in the last).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlleleBalance {
    pub sample: String,
    pub histogram: Histogram,
    /// Mean balance over the hets with reads (`None` without any).
    pub mean: Option<f64>,
    /// Ref/alt hets without reads for both alleles in AD.
    pub without_reads: u64,
    /// The sum of the balances behind `mean`, so that parts of a file merge.
    #[serde(default)]
    pub sum: f64,
}

/// Everything this module computes for one set of records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QcStats {
    pub records: u64,
    /// Records per FILTER name in the order the file names them; `.` (no FILTER) last. A
    /// record with several FILTER names counts under each.
    pub per_filter: Vec<NamedCount>,
    /// Records per contig, in the header's contig order (contigs without records left out).
    pub per_contig: Vec<NamedCount>,
    /// The first annotation field of `CSQ`, `ANN`, `BCSQ`, `EFF` (any other VEP- or
    /// SnpEff-style field after them) the file has; `None` when it has none.
    pub consequences: Option<Consequences>,
    /// FORMAT/GQ of every genotype that has one, in bins of 1 from 0 (`≥ 100` in the last).
    pub gq: Option<Histogram>,
    /// Per sample, when the file has FORMAT/AD and genotypes.
    pub allele_balance: Option<Vec<AlleleBalance>>,
    /// Per trio given to [`compute_with_trios`] (empty from [`compute`]).
    pub trios: Vec<TrioQc>,
}

/// GQ bins: 0 to 99 by one, then `≥ 100`.
const GQ_BINS: usize = 101;
/// Allele-balance bins of 0.05.
const AB_BINS: usize = 20;

/// Calls `f` with each record `keep` keeps (every record for `None`), in order.
fn each_row(store: &VariantStore, keep: Option<&Bitmap>, f: impl FnMut(usize)) {
    match keep {
        None => (0..store.len()).for_each(f),
        Some(k) => k.iter_ones().take_while(|&i| i < store.len()).for_each(f),
    }
}

/// The QC statistics of the records of `store` that `keep` keeps (every record for `None`):
/// the app passes its selection's bitmap for the filtered view.
pub fn compute(store: &VariantStore, keep: Option<&Bitmap>) -> QcStats {
    compute_with_trios(store, keep, &[])
}

/// [`compute`], with the per-trio numbers of `trios` (the pedigree's judgements).
pub fn compute_with_trios(
    store: &VariantStore,
    keep: Option<&Bitmap>,
    trios: &[TrioCalls],
) -> QcStats {
    let mut records = 0u64;
    let mut per_filter = vec![0u64; store.filter_names().len()];
    let mut no_filter = 0u64;
    let mut per_contig = vec![0u64; store.contigs().len()];
    each_row(store, keep, |i| {
        records += 1;
        per_contig[store.contig_of(i) as usize] += 1;
        let ids = store.filter_ids(i);
        if ids.is_empty() {
            no_filter += 1;
        }
        for &f in ids {
            per_filter[f as usize] += 1;
        }
    });
    let named = |names: &[String], counts: Vec<u64>| -> Vec<NamedCount> {
        names
            .iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .map(|(n, count)| NamedCount {
                name: n.clone(),
                count,
            })
            .collect()
    };
    let mut filters = named(store.filter_names(), per_filter);
    if no_filter > 0 {
        filters.push(NamedCount {
            name: ".".into(),
            count: no_filter,
        });
    }
    QcStats {
        records,
        per_filter: filters,
        per_contig: named(store.contigs(), per_contig),
        consequences: consequences(store, keep),
        gq: gq(store, keep),
        allele_balance: allele_balance(store, keep),
        trios: trio_qc(store, keep, trios),
    }
}

/// Hashes the raw bytes of an annotation value with [`annotation::hash`] (a user's own file
/// needs no DoS-resistant hash; SipHash cost more than the rest of the lookup).
#[derive(Default)]
struct RawHasher(u64);

impl Hasher for RawHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(5) ^ annotation::hash(bytes);
    }

    /// The slice's length, which `Hash for [u8]` writes first: mixed in without a hash.
    fn write_usize(&mut self, n: usize) {
        self.0 ^= n as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Where the breakdown reads consequences: an INFO field and its sub-fields.
struct Source {
    tag: String,
    consequence: usize,
    impact: Option<usize>,
    /// Legacy SnpEff `EFF` entries (`EFFECT(a|b|…)`).
    legacy: bool,
}

/// The annotation field the breakdown reads: CSQ, ANN, BCSQ, EFF, then any other with a
/// consequence sub-field.
fn source(store: &VariantStore) -> Option<Source> {
    let parsed = annotation::schemas(store)
        .into_iter()
        .filter_map(|schema: Schema| {
            let first = |names: &[&str]| names.iter().find_map(|n| schema.index_of(n));
            Some(Source {
                consequence: first(&["Consequence", "Annotation", "Effect"])?,
                impact: first(&["IMPACT", "Annotation_Impact", "Effect_Impact"]),
                legacy: schema.is_legacy_eff(),
                tag: schema.tag,
            })
        });
    // bcftools csq describes BCSQ as `Format: '[*]consequence|gene|transcript|biotype…'`,
    // which names no `Consequence`, so the annotation reader does not parse it; its layout
    // is fixed, the consequence first (bcftools csq.c). No impact sub-field: the impact is
    // the consequence's. `@POS` entries point at another record and rank as unknown terms.
    let bcsq = annotation::text_column(store, "BCSQ").map(|_| Source {
        tag: "BCSQ".into(),
        consequence: 0,
        impact: None,
        legacy: false,
    });
    let preference = |s: &Source| {
        ["CSQ", "ANN", "BCSQ", "EFF"]
            .iter()
            .position(|t| *t == s.tag)
            .unwrap_or(4)
    };
    // The first of the best: a parsed BCSQ before the fixed layout.
    parsed.chain(bcsq).min_by_key(preference)
}

fn consequences(store: &VariantStore, keep: Option<&Bitmap>) -> Option<Consequences> {
    let Source {
        tag,
        consequence,
        impact,
        legacy,
    } = source(store)?;
    let text = annotation::text_column(store, &tag)?;
    let last = consequence.max(impact.unwrap_or(0));
    // One pass over the text: each distinct consequence value, as its raw bytes, is ranked once
    // (Ensembl's order; `None` for unknown terms and missing values) and looked up by its bytes
    // after that — no decoding or UTF-8 check per value, nothing allocated but new values.
    let mut ranks: HashMap<Box<[u8]>, Option<u8>, BuildHasherDefault<RawHasher>> =
        HashMap::default();
    let mut decoded = Vec::new();
    let mut rank_of = |raw: &[u8]| -> Option<u8> {
        if let Some(&r) = ranks.get(raw) {
            return r;
        }
        let r = if annotation::is_missing(raw) {
            None
        } else {
            decoded.clear();
            annotation::decode_into(raw, &mut decoded);
            annotation::severity(&String::from_utf8_lossy(&decoded))
        };
        ranks.insert(raw.into(), r);
        r
    };
    let impact_rank = |raw: &[u8]| {
        IMPACTS
            .iter()
            .position(|i| raw.eq_ignore_ascii_case(i.as_bytes()))
    };
    let terms = annotation::CONSEQUENCE_TERMS;
    let mut by_rank = vec![0u64; terms.len()];
    let (mut unknown, mut annotated) = (0u64, 0u64);
    let mut by_impact = [0u64; IMPACTS.len() + 1];
    let mut reader = text.reader();
    each_row(store, keep, |i| {
        if i >= text.len() || !text.is_present(i) {
            return;
        }
        let (mut any, mut best, mut best_impact) = (false, None::<u8>, None::<usize>);
        for entry in annotation::entries(reader.get(i)) {
            any = true;
            for (k, value) in annotation::fields(entry, legacy).enumerate().take(last + 1) {
                if k == consequence
                    && let Some(r) = rank_of(value)
                {
                    best = Some(best.map_or(r, |b| b.min(r)));
                }
                if Some(k) == impact
                    && let Some(r) = impact_rank(value)
                {
                    best_impact = Some(best_impact.map_or(r, |b| b.min(r)));
                }
            }
        }
        if !any {
            return;
        }
        annotated += 1;
        match best {
            Some(r) => by_rank[r as usize] += 1,
            None => unknown += 1,
        }
        let derived = || {
            best.and_then(|r| annotation::impact(terms[r as usize]))
                .and_then(|name| IMPACTS.iter().position(|i| *i == name))
        };
        by_impact[best_impact.or_else(derived).unwrap_or(IMPACTS.len())] += 1;
    });
    let mut by_consequence: Vec<NamedCount> = terms
        .iter()
        .zip(by_rank)
        .filter(|(_, n)| *n > 0)
        .map(|(t, count)| NamedCount {
            name: t.to_string(),
            count,
        })
        .collect();
    if unknown > 0 {
        by_consequence.push(NamedCount {
            name: "unknown".into(),
            count: unknown,
        });
    }
    let by_impact = IMPACTS
        .iter()
        .copied()
        .chain(["unknown"])
        .zip(by_impact)
        .filter(|(_, n)| *n > 0)
        .map(|(name, count)| NamedCount {
            name: name.into(),
            count,
        })
        .collect();
    Some(Consequences {
        field: tag,
        annotated,
        by_consequence,
        by_impact,
    })
}

fn gq(store: &VariantStore, keep: Option<&Bitmap>) -> Option<Histogram> {
    let field = store.format.get("GQ")?;
    let n = store.samples().len();
    let mut h = Histogram::new(0.0, 1.0, GQ_BINS);
    let mut add = |v: f64| {
        let bin = if v.is_nan() || v < 0.0 {
            0
        } else {
            (v as usize).min(GQ_BINS - 1)
        };
        h.counts[bin] += 1;
    };
    match &field.data {
        ColumnData::Integer(c) => {
            each_row(store, keep, |i| {
                for cell in i * n..(i + 1) * n {
                    if let Some(v) = c.first(cell).filter(|&v| v != INT_MISSING) {
                        add(f64::from(v));
                    }
                }
            });
        }
        // Some callers declare GQ a Float.
        ColumnData::Float(c) => {
            each_row(store, keep, |i| {
                for cell in i * n..(i + 1) * n {
                    if let Some(&b) = c.get(cell).first().filter(|&&b| b != FLOAT_MISSING) {
                        add(f64::from(f32::from_bits(b)));
                    }
                }
            });
        }
        _ => return None,
    }
    Some(h)
}

fn allele_balance(store: &VariantStore, keep: Option<&Bitmap>) -> Option<Vec<AlleleBalance>> {
    let ad: &Ints = match store.format.get("AD").map(|f| &f.data) {
        Some(ColumnData::Integer(c)) => c,
        _ => return None,
    };
    let n = store.samples().len();
    if n == 0 {
        return None;
    }
    let table = GenotypeTable::new(store);
    let mut out: Vec<AlleleBalance> = store
        .samples()
        .iter()
        .map(|s| AlleleBalance {
            sample: s.clone(),
            histogram: Histogram::new(0.0, 0.05, AB_BINS),
            mean: None,
            without_reads: 0,
            sum: 0.0,
        })
        .collect();
    let mut sums = vec![(0.0f64, 0u64); n];
    each_row(store, keep, |i| {
        for (s, balance) in out.iter_mut().enumerate() {
            let gt = table.class(store, i, s);
            if gt.ty != GtType::HetRefAlt {
                continue;
            }
            let reads = ad.with(i * n + s, |v| {
                let at = |k: usize| v.get(k).copied().filter(|&x| x != INT_MISSING && x >= 0);
                Some((at(0)?, at(gt.ial)?))
            });
            match reads {
                Some((r, a)) if r + a > 0 => {
                    let ab = f64::from(a) / f64::from(r + a);
                    let bin = ((ab * AB_BINS as f64) as usize).min(AB_BINS - 1);
                    balance.histogram.counts[bin] += 1;
                    sums[s].0 += ab;
                    sums[s].1 += 1;
                }
                _ => balance.without_reads += 1,
            }
        }
    });
    for (b, (sum, k)) in out.iter_mut().zip(sums) {
        b.mean = (k > 0).then(|| sum / k as f64);
        b.sum = sum;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    const VCF: &str = "##fileformat=VCFv4.2\n\
##contig=<ID=1>\n##contig=<ID=2>\n##contig=<ID=3>\n\
##FILTER=<ID=PASS,Description=\"ok\">\n##FILTER=<ID=q10,Description=\"low\">\n\
##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n\
1\t10\t.\tA\tG\t50\tPASS\tCSQ=G|missense_variant|MODERATE|X,G|intron_variant|MODIFIER|Y\tGT:GQ:AD\t0/1:30:6,4\t0/0:120:9,0\n\
1\t20\t.\tC\tT\t50\tq10;PASS\tCSQ=T|stop_gained&splice_region_variant|HIGH|X\tGT:GQ:AD\t0/1:7:1,9\t1/1:.:0,5\n\
2\t30\t.\tG\tA\t.\t.\t.\tGT:GQ:AD\t0/1:99:0,0\t./.:.:.\n";

    #[test]
    fn counts_filters_contigs_consequences_gq_and_balance() {
        let ds = crate::read_dataset(VCF.as_bytes(), None, &mut Silent).unwrap();
        let qc = compute(&ds.store, None);
        let pairs = |v: &[NamedCount]| -> Vec<(String, u64)> {
            v.iter().map(|c| (c.name.clone(), c.count)).collect()
        };
        assert_eq!(qc.records, 3);
        assert_eq!(
            pairs(&qc.per_filter),
            [("PASS".into(), 2), ("q10".into(), 1), (".".into(), 1)]
        );
        assert_eq!(pairs(&qc.per_contig), [("1".into(), 2), ("2".into(), 1)]);
        let c = qc.consequences.unwrap();
        assert_eq!((c.field.as_str(), c.annotated), ("CSQ", 2));
        assert_eq!(
            pairs(&c.by_consequence),
            [("stop_gained".into(), 1), ("missense_variant".into(), 1)]
        );
        assert_eq!(
            pairs(&c.by_impact),
            [("HIGH".into(), 1), ("MODERATE".into(), 1)]
        );
        let gq = qc.gq.unwrap();
        assert_eq!(
            (gq.total(), gq.counts[30], gq.counts[7], gq.counts[100]),
            (4, 1, 1, 1)
        );
        let ab = qc.allele_balance.unwrap();
        assert_eq!(ab[0].histogram.counts[8], 1, "4 / 10 reads");
        assert_eq!(ab[0].histogram.counts[18], 1, "9 / 10 reads");
        assert_eq!(ab[0].without_reads, 1, "0,0 reads");
        assert!((ab[0].mean.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(ab[1].histogram.total(), 0);
        // A filter's rows only.
        let keep = Bitmap::from_fn(3, |i| i == 2);
        let qc = compute(&ds.store, Some(&keep));
        assert_eq!(pairs(&qc.per_contig), [("2".into(), 1)]);
        assert!(qc.consequences.unwrap().by_consequence.is_empty());
    }

    #[test]
    fn reads_bcftools_csq_whose_header_names_no_consequence() {
        let vcf = "##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##INFO=<ID=BCSQ,Number=.,Type=String,Description=\"Local consequence annotation from BCFtools/csq. Format: '[*]consequence|gene|transcript|biotype[|strand|amino_acid_change|dna_change]' or, for consequences of variants split across multiple sites, a pointer to the record storing the consequences '@position'.\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\
1\t10\t.\tA\tG\t50\tPASS\tBCSQ=missense|G|T1|protein_coding|+|1A>1G|10A>G,*stop_gained|G|T2|protein_coding\n\
1\t12\t.\tC\tT\t50\tPASS\tBCSQ=@10\n\
1\t20\t.\tC\tT\t50\tPASS\tBCSQ=non_coding|X||lincRNA\n\
1\t30\t.\tC\tT\t50\tPASS\t.\n";
        let ds = crate::read_dataset(vcf.as_bytes(), None, &mut Silent).unwrap();
        let c = compute(&ds.store, None).consequences.expect("BCSQ is read");
        let pairs = |v: &[NamedCount]| -> Vec<(String, u64)> {
            v.iter().map(|c| (c.name.clone(), c.count)).collect()
        };
        assert_eq!((c.field.as_str(), c.annotated), ("BCSQ", 3));
        assert_eq!(
            pairs(&c.by_consequence),
            [
                ("stop_gained".into(), 1),
                ("non_coding_transcript_variant".into(), 1),
                ("unknown".into(), 1)
            ]
        );
        assert_eq!(
            pairs(&c.by_impact),
            [
                ("HIGH".into(), 1),
                ("MODIFIER".into(), 1),
                ("unknown".into(), 1)
            ]
        );
    }
}
