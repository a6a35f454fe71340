//! The pedigree check (CLINICAL.md §4, after peddy): before any family analysis, do the
//! genotypes agree with what the PED says about sex and relations?
//!
//! - Sex from chrX heterozygosity outside the PARs, chrY calls as support ([`sex`]).
//! - Relatedness, IBS0 and IBS2 of every pair over the file's autosomal SNVs, and the relation
//!   they predict: duplicate, parent–child, siblings, second or third degree, unrelated
//!   ([`relatedness`], [`findings::PredictedRelation`]).
//! - Against the PED ([`declared::Declared`]: sexes, and relations with their expected
//!   relatedness from kinship): each contradiction a [`CheckWarning`] with its numbers, each
//!   thing that could not be checked a [`CheckNotice`].
//!
//! Data flow: a loaded [`VariantStore`] → [`tally`] (counts over the store's genotype columns,
//! additive across the shards of one file: [`Tally::merge`]) → [`finish`] with the PED →
//! [`PedigreeCheck`], the serde result the app plots (IBS0 against IBS2 per pair, coloured by
//! the PED's relation) and the CLI prints (`enclave check`). [`check`] does both for one
//! dataset. Where and why Enclave differs from peddy: docs/PEDIGREE_CHECK.md.

pub mod declared;
pub mod findings;
pub mod relatedness;
pub mod sex;
pub mod sites;

pub use self::declared::{Declared, DeclaredRelation, Sex};
pub use self::findings::{CheckNotice, CheckWarning, PredictedRelation};
pub use self::relatedness::{PairCounts, RelatednessTally};
pub use self::sex::{SexCounts, SexTally};
pub use self::sites::{Build, DepthSource, SexRegions};

use self::sites::{ContigClass, contig_class};
use crate::formats::Dataset;
use crate::store::VariantStore;

/// The sex check's thresholds (CLINICAL.md §4; peddy's defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SexParams {
    /// Genotypes with a lower depth are not counted (when the site has depths).
    pub min_depth: i64,
    pub min_call_rate: f64,
    pub min_alt_freq: f64,
    /// `het / hom-alt` below this is male.
    pub male_below: f64,
    /// Fewer het + hom-alt genotypes than this: sex unknown (an addition to peddy).
    pub min_informative: u64,
}

impl Default for SexParams {
    fn default() -> Self {
        Self {
            min_depth: 7,
            min_call_rate: 0.5,
            min_alt_freq: 0.01,
            male_below: 0.6,
            min_informative: 10,
        }
    }
}

/// The relatedness check's thresholds (CLINICAL.md §4; peddy's defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelatednessParams {
    pub min_call_rate: f64,
    /// Common sites only: the file's minor allele frequency at least this (alternate allele
    /// frequency within `min_minor_freq ..= 1 − min_minor_freq`).
    pub min_minor_freq: f64,
    /// Hets whose alternate-allele fraction is outside this range are not used.
    pub min_balance: f64,
    pub max_balance: f64,
    /// IBS0/n below this: parent and child.
    pub parent_child_ibs0: f64,
    /// With IBS0/n below `parent_child_ibs0`, relatedness above this: duplicate.
    pub duplicate_above: f64,
    /// |expected − observed relatedness| above this is a warning.
    pub flag_difference: f64,
    /// Pairs sharing fewer sites get no predicted relation and no warning (an addition to
    /// peddy, which would call two samples sharing 11 sites parent and child; with a few
    /// hundred linked sites of one region the estimate is noise).
    pub min_sites: u64,
    /// Above this many samples only the pairs worth a look are kept in the result (flagged,
    /// predicted related, or declared related), as peddy does above 200.
    pub all_pairs_up_to: usize,
    /// The most pair × 64-site word operations before sites are thinned.
    pub max_pair_words: u64,
    /// More samples than this: no relatedness (the pair counts alone would take 32 bytes ×
    /// n²/2 of memory: 100 MB at 2,500 samples).
    pub max_samples: usize,
}

impl Default for RelatednessParams {
    fn default() -> Self {
        Self {
            min_call_rate: 0.8,
            min_minor_freq: 0.05,
            min_balance: 0.2,
            max_balance: 0.8,
            parent_child_ibs0: 0.012,
            duplicate_above: 0.75,
            flag_difference: 0.17,
            min_sites: 500,
            all_pairs_up_to: 200,
            max_samples: 2_500,
            max_pair_words: 1_000_000_000,
        }
    }
}

/// Everything the check can be told.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckParams {
    pub sex: SexParams,
    pub relatedness: RelatednessParams,
    /// The chrX / chrY intervals to leave out instead of the build's PARs.
    pub regions: Option<SexRegions>,
}

/// The counts of one store (or of several shards of one file, added up).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub samples: Vec<String>,
    pub build: Option<Build>,
    pub regions: SexRegions,
    pub depth_source: DepthSource,
    /// Some genotype has a called allele (FORMAT/GT present and not all `./.`): without one
    /// there is nothing to check, whatever the records are.
    #[serde(default)]
    pub genotypes_called: bool,
    pub sex: SexTally,
    pub relatedness: RelatednessTally,
}

impl Tally {
    /// The counts of a whole file from its parts' (the shards of a pool, in any order): what
    /// [`tally`] of the whole store gives, so [`finish`] of the merge is the whole file's
    /// check. One exception: a file large enough for the work limit to thin its sites is
    /// thinned by each part for its own size. `None` without parts.
    ///
    /// ```
    /// use wasm_core::pedigree_check::{self, CheckParams, Tally};
    /// let part = |body: &str| {
    ///     let text = format!("##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n\
    ///         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n{body}");
    ///     let ds = wasm_core::read_dataset(text.as_bytes(), None, &mut wasm_core::progress::Silent).unwrap();
    ///     pedigree_check::tally(&ds.store, None, &CheckParams::default())
    /// };
    /// let whole = part("1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n2\t10\t.\tC\tT\t.\t.\t.\tGT\t0/0\t0/1\n");
    /// let merged = Tally::merge(vec![
    ///     part("1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n"),
    ///     part("2\t10\t.\tC\tT\t.\t.\t.\tGT\t0/0\t0/1\n"),
    /// ]);
    /// assert_eq!(merged, Some(whole));
    /// ```
    pub fn merge(parts: Vec<Tally>) -> Option<Tally> {
        let mut parts = parts.into_iter();
        let mut whole = parts.next()?;
        for part in parts {
            whole.add(&part);
        }
        Some(whole)
    }

    /// Adds another shard's counts (same file, same samples).
    pub fn add(&mut self, other: &Tally) {
        self.sex.add(&other.sex);
        self.relatedness.add(&other.relatedness);
        self.genotypes_called |= other.genotypes_called;
        if self.build.is_none() {
            self.build = other.build;
        }
    }
}

/// Sex check of one sample: a row of the sex table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SexCheck {
    /// The sample's name in the file.
    pub sample: String,
    /// From the PED; `None` when the sample is not in it (or there is no PED).
    pub declared: Option<Sex>,
    /// Genotypes at the chrX sites outside the PARs (depth ≥ 7 where the site has depths);
    /// a haploid `0` counts as hom-ref, a haploid `1` as hom-alt.
    pub hom_ref: u64,
    pub het: u64,
    pub hom_alt: u64,
    /// `het / max(hom-alt, 1)`; `None` without any het or hom-alt genotype.
    pub het_ratio: Option<f64>,
    /// Male when `het_ratio` is below [`SexParams::male_below`], else female; unknown with
    /// fewer than [`SexParams::min_informative`] het + hom-alt genotypes.
    pub predicted: Sex,
    /// chrY outside its PARs: genotypes called, with an alternate allele.
    pub y_called: u64,
    pub y_alt: u64,
    /// Declared and predicted sex are both known and differ (a [`CheckWarning::Sex`]).
    pub mismatch: bool,
}

/// Relatedness check of one pair: a row of the pair table, and a point of the app's plot.
///
/// The plot is peddy's: x = [`ibs0`](Self::ibs0), y = [`ibs2`](Self::ibs2) (or the same
/// divided by [`n`](Self::n), [`PairCheck::ibs0_fraction`] and [`PairCheck::ibs2_fraction`],
/// to compare files of different sizes), coloured by [`expected`](Self::expected) (the PED's
/// relation), marked when [`flagged`](Self::flagged). Parent–child pairs sit at IBS0 ≈ 0,
/// duplicates at IBS0 ≈ 0 with IBS2 ≈ n, siblings at a small IBS0 and a high IBS2, unrelated
/// pairs at the largest IBS0; a point whose colour sits in another group's cloud is a PED
/// error.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairCheck {
    /// Indices into [`PedigreeCheck::samples`], `a < b` (file order).
    pub a: u32,
    pub b: u32,
    /// `(shared_hets − 2·ibs0) / min(hets_a, hets_b)`: about 1 for duplicates, 0.5 for
    /// parent–child and full siblings, 0.25 second degree, 0 unrelated, below 0 for unrelated
    /// samples of different ancestries. `None` when neither sample has a het.
    pub relatedness: Option<f64>,
    /// Sites where one is hom-ref and the other hom-alt (no allele identical by state).
    pub ibs0: u64,
    /// Sites where both have the same genotype (both alleles identical by state).
    pub ibs2: u64,
    /// Sites where both are called: the denominator of the fractions.
    pub n: u64,
    /// Sites where both are het.
    pub shared_hets: u64,
    /// Hets of each sample over all relatedness sites (not only the shared ones).
    pub hets_a: u64,
    pub hets_b: u64,
    /// The PED's relation of the two (the plot's colour); [`DeclaredRelation::Unknown`]
    /// without a PED.
    pub expected: DeclaredRelation,
    /// Twice the PED's kinship; `None` when the PED gives no expectation.
    pub expected_relatedness: Option<f64>,
    /// What the numbers suggest ([`predict_relation`]).
    pub predicted: PredictedRelation,
    /// A warning was raised for this pair.
    pub flagged: bool,
}

impl PairCheck {
    /// `ibs0 / n` (0 when `n` is 0): below 0.012 means parent–child or duplicate.
    pub fn ibs0_fraction(&self) -> f64 {
        fraction(self.ibs0, self.n)
    }

    /// `ibs2 / n` (0 when `n` is 0).
    pub fn ibs2_fraction(&self) -> f64 {
        fraction(self.ibs2, self.n)
    }
}

fn fraction(x: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { x as f64 / n as f64 }
}

/// The result: per sample the sex check, per pair the relatedness check, and what
/// contradicts the PED. Serialisable as it is: the CLI prints it with `--json`, the app gets
/// it from its worker and draws the sex table, the pair plot and the warnings from it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PedigreeCheck {
    /// The file's samples, in file order ([`PairCheck::a`] and `b` index this).
    pub samples: Vec<String>,
    /// The build whose PARs were left out; `None`: unknown, the PARs of both were.
    pub build: Option<Build>,
    /// Where genotype depths came from (FORMAT/AD, FORMAT/DP or nowhere).
    pub depth_source: DepthSource,
    /// One row per sample, in file order.
    pub sex: Vec<SexCheck>,
    /// Every pair, unless there are more samples than [`RelatednessParams::all_pairs_up_to`]:
    /// then only those flagged, predicted related or declared related.
    pub pairs: Vec<PairCheck>,
    /// Pairs checked (also those left out of `pairs`).
    pub pairs_total: u64,
    /// Per sample, hets left out of the relatedness for their allele balance.
    pub hets_off_balance: Vec<u64>,
    /// Sites read by the sex check on chrX and chrY.
    pub x_sites: u64,
    pub y_sites: u64,
    /// Sites read by the relatedness, and the thinning step (1: every candidate site).
    pub relatedness_sites: u64,
    pub relatedness_step: u64,
    /// Each contradiction of the PED, with its numbers.
    pub warnings: Vec<CheckWarning>,
    /// What could not be checked, or was checked differently, and why.
    pub notices: Vec<CheckNotice>,
}

/// The build of a dataset: the summary's, else from chrX's length.
pub fn build_of(dataset: &Dataset) -> Option<Build> {
    let x_length = dataset
        .summary
        .contigs
        .iter()
        .find(|c| contig_class(&c.name) == ContigClass::X)
        .and_then(|c| c.length);
    Build::infer(dataset.summary.reference_build.as_deref(), x_length)
}

/// Counts the sex and relatedness genotypes of a store.
pub fn tally(store: &VariantStore, build: Option<Build>, params: &CheckParams) -> Tally {
    let regions = params
        .regions
        .clone()
        .or_else(|| build.map(SexRegions::of))
        .unwrap_or_else(SexRegions::either_build);
    let contig_classes: Vec<ContigClass> =
        store.contigs().iter().map(|c| contig_class(c)).collect();
    Tally {
        samples: store.samples().to_vec(),
        build,
        depth_source: sites::Depths::new(store).source(),
        genotypes_called: store
            .genotype_values()
            .iter()
            .any(|&p| sites::has_called_allele(p)),
        sex: sex::tally(store, &contig_classes, &regions, &params.sex),
        relatedness: relatedness::tally(store, &contig_classes, &params.relatedness),
        regions,
    }
}

/// The whole check of one dataset.
pub fn check(
    dataset: &Dataset,
    declared: Option<&Declared>,
    params: &CheckParams,
) -> PedigreeCheck {
    finish(
        &tally(&dataset.store, build_of(dataset), params),
        declared,
        params,
    )
}

/// Turns counts into the result, comparing with the PED when there is one.
pub fn finish(t: &Tally, declared: Option<&Declared>, params: &CheckParams) -> PedigreeCheck {
    let samples = &t.samples;
    let mut notices = Vec::new();
    let mut warnings = Vec::new();

    match declared {
        None => notices.push(CheckNotice::NoPedigree),
        Some(d) => {
            if !samples.iter().any(|s| d.contains(s)) {
                notices.push(CheckNotice::NoPedigreeSampleInFile);
            }
            let absent: Vec<String> = d
                .ids()
                .filter(|id| !samples.iter().any(|s| s == id))
                .map(str::to_string)
                .collect();
            if !absent.is_empty() {
                notices.push(CheckNotice::NotSequenced { samples: absent });
            }
            let extra: Vec<String> = samples.iter().filter(|s| !d.contains(s)).cloned().collect();
            if !extra.is_empty() && extra.len() < samples.len() {
                notices.push(CheckNotice::NotInPedigree { samples: extra });
            }
            if d.has_cycle() {
                notices.push(CheckNotice::PedigreeCycle);
            }
        }
    }
    match samples.len() {
        0 => notices.push(CheckNotice::NoSamples),
        1 => notices.push(CheckNotice::OneSample),
        _ => {}
    }
    // Without a called genotype the notices about depth, chrX and sites would only repeat it.
    let genotypes = !samples.is_empty() && t.genotypes_called;
    if !samples.is_empty() && !genotypes {
        notices.push(CheckNotice::NoGenotypes);
    }
    match t.depth_source {
        DepthSource::None if genotypes => notices.push(CheckNotice::NoDepth),
        DepthSource::Dp if genotypes => notices.push(CheckNotice::DepthFromDp),
        _ => {}
    }

    // Sex.
    if genotypes {
        if t.sex.x_records == 0 {
            notices.push(CheckNotice::NoChrX);
        } else if t.sex.x_sites == 0 {
            notices.push(CheckNotice::NoXSites {
                records: t.sex.x_records,
            });
        } else if t.build.is_none() && params.regions.is_none() {
            notices.push(CheckNotice::BuildUnknown);
        }
    }
    let mut sex_rows = Vec::with_capacity(samples.len());
    for (s, name) in samples.iter().enumerate() {
        let counts = t.sex.samples.get(s).cloned().unwrap_or_default();
        let (het_ratio, predicted) = sex::predict(&counts, &params.sex);
        let declared_sex = declared.and_then(|d| d.sex(name));
        let mismatch = match (declared_sex, predicted) {
            (Some(d @ (Sex::Male | Sex::Female)), p @ (Sex::Male | Sex::Female)) => d != p,
            _ => false,
        };
        if mismatch {
            warnings.push(CheckWarning::Sex {
                sample: name.clone(),
                declared: declared_sex.unwrap_or(Sex::Unknown),
                predicted,
                het_ratio: het_ratio.unwrap_or(0.0),
                het: counts.het,
                hom_alt: counts.hom_alt,
                male_below: params.sex.male_below,
            });
        }
        // chrY as supporting evidence: flag only clear disagreements, with enough sites.
        let y_sites = t.sex.y_sites;
        let y_disagrees = y_sites >= 20
            && match predicted {
                Sex::Female => counts.y_called * 2 >= y_sites,
                Sex::Male => counts.y_called == 0,
                Sex::Unknown => false,
            };
        if y_disagrees {
            notices.push(CheckNotice::YDisagrees {
                sample: name.clone(),
                predicted,
                y_called: counts.y_called,
                y_sites,
            });
        }
        sex_rows.push(SexCheck {
            sample: name.clone(),
            declared: declared_sex,
            hom_ref: counts.hom_ref,
            het: counts.het,
            hom_alt: counts.hom_alt,
            het_ratio,
            predicted,
            y_called: counts.y_called,
            y_alt: counts.y_alt,
            mismatch,
        });
    }

    // Relatedness.
    let r = &t.relatedness;
    let rp = &params.relatedness;
    let n_samples = samples.len();
    let counted = r.pairs.len() == relatedness::pair_count(n_samples)
        && r.hets.len() == n_samples
        && r.hets_off_balance.len() == n_samples;
    if n_samples > rp.max_samples {
        notices.push(CheckNotice::TooManySamples {
            samples: n_samples as u64,
            max: rp.max_samples as u64,
        });
    } else if n_samples >= 2 && genotypes && r.candidate_sites == 0 {
        notices.push(CheckNotice::NoAutosomalSites {
            records: r.autosomal_records,
        });
    }
    if r.step > 1 {
        notices.push(CheckNotice::Thinned {
            step: r.step,
            sites: r.sites,
            candidates: r.candidate_sites,
        });
    }
    let mut pairs = Vec::with_capacity(r.pairs.len());
    let mut too_few = 0u64;
    let mut pairs_total = 0u64;
    for a in 0..n_samples {
        if !counted {
            break;
        }
        for b in a + 1..n_samples {
            let Some(counts) = r.pairs.get(relatedness::pair_index(a, b, n_samples)) else {
                continue;
            };
            let (hets_a, hets_b) = (r.hets[a], r.hets[b]);
            let observed = relatedness::relatedness(counts, hets_a, hets_b);
            let predicted = predict_relation(counts, observed, rp);
            if predicted == PredictedRelation::Undetermined && r.candidate_sites > 0 {
                too_few += 1;
            }
            let (name_a, name_b) = (&samples[a], &samples[b]);
            let (expected, expected_relatedness) = match declared {
                None => (DeclaredRelation::Unknown, None),
                Some(d) => d.relation(name_a, name_b),
            };
            let warning = pair_warning(
                (name_a, name_b),
                counts,
                observed,
                predicted,
                expected,
                // Samples not in the PED are expected to be unrelated (CLINICAL.md §1).
                match expected {
                    DeclaredRelation::NotInPedigree => Some(0.0),
                    _ => expected_relatedness,
                },
                declared.is_some(),
                rp,
            );
            let flagged = warning.is_some();
            warnings.extend(warning);
            let worth_a_look = flagged
                || !matches!(
                    predicted,
                    PredictedRelation::Unrelated | PredictedRelation::Undetermined
                )
                || !matches!(
                    expected,
                    DeclaredRelation::Unrelated
                        | DeclaredRelation::NotInPedigree
                        | DeclaredRelation::Unknown
                );
            pairs_total += 1;
            if n_samples > rp.all_pairs_up_to && !worth_a_look {
                continue;
            }
            pairs.push(PairCheck {
                a: a as u32,
                b: b as u32,
                relatedness: observed,
                ibs0: counts.ibs0,
                ibs2: counts.ibs2,
                n: counts.n,
                shared_hets: counts.shared_hets,
                hets_a,
                hets_b,
                expected,
                expected_relatedness,
                predicted,
                flagged,
            });
        }
    }
    if too_few > 0 {
        notices.push(CheckNotice::TooFewSites {
            pairs: too_few,
            needed: rp.min_sites,
        });
    }
    if (pairs.len() as u64) < pairs_total {
        notices.push(CheckNotice::PairsLeftOut {
            shown: pairs.len() as u64,
            total: pairs_total,
            samples: n_samples as u64,
        });
    }

    PedigreeCheck {
        samples: samples.clone(),
        build: t.build,
        depth_source: t.depth_source,
        sex: sex_rows,
        pairs,
        pairs_total,
        hets_off_balance: if counted {
            r.hets_off_balance.clone()
        } else {
            vec![0; n_samples]
        },
        x_sites: t.sex.x_sites,
        y_sites: t.sex.y_sites,
        relatedness_sites: r.sites,
        relatedness_step: r.step,
        warnings,
        notices,
    }
}

/// The relation a pair's numbers suggest (CLINICAL.md §4 for parent–child and duplicates;
/// KING's degree boundaries 2^-1.5, 2^-2.5, 2^-3.5 for the others).
pub fn predict_relation(
    counts: &PairCounts,
    relatedness: Option<f64>,
    params: &RelatednessParams,
) -> PredictedRelation {
    let Some(r) = relatedness else {
        return PredictedRelation::Undetermined;
    };
    if counts.n < params.min_sites || counts.n == 0 {
        return PredictedRelation::Undetermined;
    }
    let ibs0 = counts.ibs0 as f64 / counts.n as f64;
    if ibs0 < params.parent_child_ibs0 {
        return if r > params.duplicate_above {
            PredictedRelation::Duplicate
        } else {
            PredictedRelation::ParentChild
        };
    }
    if r >= 2f64.powf(-1.5) {
        PredictedRelation::Siblings
    } else if r >= 2f64.powf(-2.5) {
        PredictedRelation::SecondDegree
    } else if r >= 2f64.powf(-3.5) {
        PredictedRelation::ThirdDegree
    } else {
        PredictedRelation::Unrelated
    }
}

/// The one warning a pair raises, the most specific first: duplicate; a declared parent–child
/// pair that is not; a predicted parent–child pair the PED does not declare; a relatedness
/// (negative read as 0) further than the limit from the expected one. Without a PED only
/// duplicates are warned.
#[allow(clippy::too_many_arguments)]
fn pair_warning(
    (a, b): (&String, &String),
    counts: &PairCounts,
    observed: Option<f64>,
    predicted: PredictedRelation,
    expected: DeclaredRelation,
    expected_relatedness: Option<f64>,
    have_ped: bool,
    params: &RelatednessParams,
) -> Option<CheckWarning> {
    let (a, b) = (a.clone(), b.clone());
    match predicted {
        PredictedRelation::Undetermined => return None,
        PredictedRelation::Duplicate => {
            return Some(CheckWarning::Duplicate {
                a,
                b,
                expected,
                relatedness: observed.unwrap_or(0.0),
                ibs0: counts.ibs0,
                n: counts.n,
            });
        }
        _ => {}
    }
    if !have_ped || expected == DeclaredRelation::Unknown {
        return None;
    }
    let parent_child = predicted == PredictedRelation::ParentChild;
    if expected == DeclaredRelation::ParentChild && !parent_child {
        return Some(CheckWarning::NotParentChild {
            a,
            b,
            relatedness: observed,
            ibs0: counts.ibs0,
            n: counts.n,
            ibs0_below: params.parent_child_ibs0,
        });
    }
    if parent_child && expected != DeclaredRelation::ParentChild {
        return Some(CheckWarning::UnexpectedParentChild {
            a,
            b,
            expected,
            relatedness: observed,
            ibs0: counts.ibs0,
            n: counts.n,
            ibs0_below: params.parent_child_ibs0,
        });
    }
    let (Some(e), Some(o)) = (expected_relatedness, observed) else {
        return None;
    };
    // A negative relatedness is KING-robust's mark of unrelated samples of different
    // ancestries, not of a pedigree error: it is compared as 0 (peddy flags it too).
    ((e - o.max(0.0)).abs() > params.flag_difference).then_some(CheckWarning::Relatedness {
        a,
        b,
        expected,
        expected_relatedness: e,
        relatedness: o,
        predicted,
        ibs0: counts.ibs0,
        ibs2: counts.ibs2,
        n: counts.n,
        limit: params.flag_difference,
    })
}

#[cfg(test)]
mod tests;
