//! What the pedigree check tells the user: warnings (the genotypes contradict the PED, each
//! with its numbers) and notices (what could not be checked, and why).
//!
//! Both are serde enums tagged by `kind` for the app, and print as one sentence each
//! (`Display`) for the CLI and the app's list.

use super::declared::{DeclaredRelation, Sex};

/// The relation the genotypes suggest for a pair (CLINICAL.md §4; KING's degree boundaries
/// for the ones peddy does not name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PredictedRelation {
    /// IBS0/n < 0.012 and relatedness > 0.75: the same person sequenced twice, or twins.
    Duplicate,
    /// IBS0/n < 0.012 (peddy): a parent always shares an allele with its child.
    ParentChild,
    /// First degree (relatedness ≥ 2^-1.5 ≈ 0.354) with IBS0 > 1.2 %: full siblings.
    Siblings,
    /// Relatedness 0.177–0.354: half siblings, grandparent, aunt or uncle.
    SecondDegree,
    /// Relatedness 0.088–0.177: first cousins.
    ThirdDegree,
    Unrelated,
    /// Too few sites shared, or no het in either sample.
    Undetermined,
}

impl PredictedRelation {
    pub fn label(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::ParentChild => "parent-child",
            Self::Siblings => "siblings",
            Self::SecondDegree => "second degree",
            Self::ThirdDegree => "third degree",
            Self::Unrelated => "unrelated",
            Self::Undetermined => "undetermined",
        }
    }
}

/// A contradiction between the genotypes and the PED.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CheckWarning {
    /// The declared sex is not the one chrX heterozygosity gives.
    Sex {
        sample: String,
        declared: Sex,
        predicted: Sex,
        het_ratio: f64,
        het: u64,
        hom_alt: u64,
        male_below: f64,
    },
    /// Two samples look like one person.
    Duplicate {
        a: String,
        b: String,
        expected: DeclaredRelation,
        relatedness: f64,
        ibs0: u64,
        n: u64,
    },
    /// The PED says parent and child; too many sites where they share no allele.
    NotParentChild {
        a: String,
        b: String,
        relatedness: Option<f64>,
        ibs0: u64,
        n: u64,
        ibs0_below: f64,
    },
    /// The genotypes say parent and child; the PED says otherwise.
    UnexpectedParentChild {
        a: String,
        b: String,
        expected: DeclaredRelation,
        relatedness: Option<f64>,
        ibs0: u64,
        n: u64,
        ibs0_below: f64,
    },
    /// Observed and expected relatedness differ by more than the limit (0.17).
    Relatedness {
        a: String,
        b: String,
        expected: DeclaredRelation,
        expected_relatedness: f64,
        relatedness: f64,
        predicted: PredictedRelation,
        ibs0: u64,
        ibs2: u64,
        n: u64,
        limit: f64,
    },
}

fn rel(r: Option<f64>) -> String {
    r.map_or("not computable (no het in either)".into(), |r| {
        format!("{r:.3}")
    })
}

impl std::fmt::Display for CheckWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sex {
                sample,
                declared,
                predicted,
                het_ratio,
                het,
                hom_alt,
                male_below,
            } => write!(
                f,
                "{sample}: the PED says {declared}, the genotypes say {predicted} (chrX het/hom-alt \
                 {het_ratio:.3} = {het} het / {hom_alt} hom-alt; male below {male_below})"
            ),
            Self::Duplicate {
                a,
                b,
                expected,
                relatedness,
                ibs0,
                n,
            } => {
                write!(
                    f,
                    "{a} and {b} look like the same person (relatedness {relatedness:.3}, IBS0 \
                     {ibs0} of {n} sites)"
                )?;
                match expected {
                    DeclaredRelation::Unknown => Ok(()),
                    e => write!(f, "; the PED says {}", e.label()),
                }
            }
            Self::NotParentChild {
                a,
                b,
                relatedness,
                ibs0,
                n,
                ibs0_below,
            } => write!(
                f,
                "{a} and {b}: the PED says parent and child, but they share no allele at {ibs0} of \
                 {n} sites (IBS0/n {:.4}, parent-child below {ibs0_below}); relatedness {}",
                super::fraction(*ibs0, *n),
                rel(*relatedness)
            ),
            Self::UnexpectedParentChild {
                a,
                b,
                expected,
                relatedness,
                ibs0,
                n,
                ibs0_below,
            } => write!(
                f,
                "{a} and {b} look like parent and child (IBS0 {ibs0} of {n} sites, IBS0/n {:.4} \
                 below {ibs0_below}; relatedness {}); the PED says {}",
                super::fraction(*ibs0, *n),
                rel(*relatedness),
                expected.label()
            ),
            Self::Relatedness {
                a,
                b,
                expected,
                expected_relatedness,
                relatedness,
                predicted,
                ibs0,
                ibs2,
                n,
                limit,
            } => write!(
                f,
                "{a} and {b}: relatedness {relatedness:.3} ({}), the PED expects \
                 {expected_relatedness:.3} ({}); the difference is over {limit} (IBS0 {ibs0}, \
                 IBS2 {ibs2} of {n} sites)",
                predicted.label(),
                expected.label()
            ),
        }
    }
}

/// Something the check could not do, or did differently, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CheckNotice {
    /// No PED: the inferences are shown, nothing is compared.
    NoPedigree,
    /// The PED names none of the file's samples.
    NoPedigreeSampleInFile,
    /// Individuals of the PED that the file lacks (not sequenced).
    NotSequenced {
        samples: Vec<String>,
    },
    /// Samples of the file that the PED lacks: expected to be unrelated to everyone.
    NotInPedigree {
        samples: Vec<String>,
    },
    /// The PED's parent links loop: no expected relation for that family.
    PedigreeCycle,
    NoSamples,
    /// Samples, but not one called genotype (no FORMAT/GT, or every GT missing): nothing to
    /// check.
    NoGenotypes,
    /// One sample: no pair to compare.
    OneSample,
    /// No chrX records: sex cannot be told from the genotypes.
    NoChrX,
    /// chrX records, but none a usable site (biallelic SNV outside the PARs, call rate and
    /// allele frequency high enough).
    NoXSites {
        records: u64,
    },
    /// Neither FORMAT/AD nor FORMAT/DP: no depth filter (sex) and no allele-balance filter
    /// (relatedness).
    NoDepth,
    /// FORMAT/DP is used for the sex check's depth filter (no AD); hets are not filtered by
    /// allele balance.
    DepthFromDp,
    /// The build is unknown: the PARs of both GRCh37 and GRCh38 were left out.
    BuildUnknown,
    /// No autosomal biallelic SNV passed the site rules: no relatedness.
    NoAutosomalSites {
        records: u64,
    },
    /// Pairs sharing fewer sites than needed have no predicted relation and raise no warning.
    TooFewSites {
        pairs: u64,
        needed: u64,
    },
    /// Too much work for every site: every `step`-th was read.
    Thinned {
        step: u64,
        sites: u64,
        candidates: u64,
    },
    /// Many samples: only the pairs worth a look are listed.
    PairsLeftOut {
        shown: u64,
        total: u64,
        samples: u64,
    },
    /// Too many samples for the pairs' counts: relatedness not computed.
    TooManySamples {
        samples: u64,
        max: u64,
    },
    /// chrY calls in a sample predicted female (or none in one predicted male).
    YDisagrees {
        sample: String,
        predicted: Sex,
        y_called: u64,
        y_sites: u64,
    },
}

impl std::fmt::Display for CheckNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoPedigree => f.write_str(
                "no PED: sex and relatedness are inferred from the genotypes but not compared",
            ),
            Self::NoPedigreeSampleInFile => {
                f.write_str("the PED names none of the file's samples: nothing to compare")
            }
            Self::NotSequenced { samples } => write!(
                f,
                "in the PED but not in the file (not sequenced): {}",
                samples.join(", ")
            ),
            Self::NotInPedigree { samples } => write!(
                f,
                "in the file but not in the PED (checked as unrelated to everyone): {}",
                samples.join(", ")
            ),
            Self::PedigreeCycle => f.write_str(
                "the PED's parent links form a cycle: relations in that family are not checked",
            ),
            Self::NoSamples => f.write_str("the file has no samples: nothing to check"),
            Self::NoGenotypes => f.write_str(
                "the file has no called genotype (no FORMAT/GT, or every GT missing): neither sex \
                 nor relatedness can be checked",
            ),
            Self::OneSample => f.write_str("the file has one sample: no pairs to compare"),
            Self::NoChrX => f.write_str(
                "no chrX records: sex cannot be told from the genotypes (shown as unknown)",
            ),
            Self::NoXSites { records } => write!(
                f,
                "none of the {records} chrX records is a usable site (biallelic SNV outside the \
                 PARs, call rate >= 0.5, alternate allele frequency >= 0.01): sex unknown"
            ),
            Self::NoDepth => f.write_str(
                "no FORMAT/AD or FORMAT/DP: the depth filter (sex) and the allele-balance filter \
                 (relatedness) are skipped",
            ),
            Self::DepthFromDp => f.write_str(
                "no FORMAT/AD: the sex check's depth comes from FORMAT/DP, and hets are not \
                 filtered by allele balance",
            ),
            Self::BuildUnknown => f.write_str(
                "reference build unknown: the pseudo-autosomal regions of both GRCh37 and GRCh38 \
                 are left out of the sex check",
            ),
            Self::NoAutosomalSites { records } => write!(
                f,
                "no usable autosomal site among {records} autosomal records (biallelic SNVs with \
                 call rate >= 0.8 and minor allele frequency >= 0.05): relatedness not computed"
            ),
            Self::TooFewSites { pairs, needed } => write!(
                f,
                "{pairs} pair(s) share fewer than {needed} sites: no relation predicted for them"
            ),
            Self::Thinned {
                step,
                sites,
                candidates,
            } => write!(
                f,
                "{candidates} relatedness sites for this many samples: every {step}th was read \
                 ({sites} sites)"
            ),
            Self::TooManySamples { samples, max } => write!(
                f,
                "{samples} samples: relatedness is computed for at most {max} samples (open a \
                 subset of the samples)"
            ),
            Self::PairsLeftOut {
                shown,
                total,
                samples,
            } => write!(
                f,
                "{samples} samples: {shown} of {total} pairs listed (flagged, predicted related \
                 or related in the PED); the others raise no warning"
            ),
            Self::YDisagrees {
                sample,
                predicted,
                y_called,
                y_sites,
            } => write!(
                f,
                "{sample}: chrX says {predicted}, but {y_called} of {y_sites} chrY sites are called"
            ),
        }
    }
}
