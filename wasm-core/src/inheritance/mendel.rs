//! Mendelian consistency of one trio at one site, and the class of an error (CLINICAL.md §2,
//! `mendel-error`).
//!
//! The check works on allele sets, site by site (not per alternate allele), as
//! `bcftools +mendelian` does: a child's call must take one allele from each parent. A missing
//! child call decides nothing; a missing parent allele stands for any allele (on an autosome,
//! each missing or absent parent allele adds the child's alleles to that parent's set, as
//! bcftools does). Ploidy follows the pedigree's sex (bcftools 1.16 reads it from the calls
//! only): on chrX outside the PARs a son's allele comes from his mother (a diploid-written son
//! counts the allele he carries: `1/1` and `0/1` as `1`), a daughter's from both; on chrY a
//! son's from his father; chrM's from the mother. docs/INHERITANCE.md lists where this makes
//! Enclave differ from bcftools.

use crate::pedigree::Sex;
use crate::store::genotype;

use super::ploidy::Context;

/// What kind of Mendelian error a trio shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MendelClass {
    /// The child has an allele neither parent has (`0/1` from `0/0` × `0/0`, or `0/1` from
    /// `1/1` × `1/1`, or a hemizygous allele its mother lacks and its father lacks).
    DeNovo,
    /// The child is homozygous for one parent's allele and the other parent is homozygous for
    /// another (`1/1` from `1/1` × `0/0`).
    UniparentalDisomy,
    /// The child is homozygous for an allele only one parent has, and that parent or the other
    /// is heterozygous (`1/1` from `0/1` × `0/0`): a deletion on the other chromosome.
    LossOfHeterozygosity,
    /// Every allele of the child is in some parent, but one parent passed on nothing (`0/1`
    /// from `0/1` × `2/2`), or a hemizygous allele came from the wrong parent.
    LostParentalAllele,
}

impl MendelClass {
    pub fn name(self) -> &'static str {
        match self {
            MendelClass::DeNovo => "de novo",
            MendelClass::UniparentalDisomy => "uniparental disomy",
            MendelClass::LossOfHeterozygosity => "loss of heterozygosity",
            MendelClass::LostParentalAllele => "loss of a parental allele",
        }
    }
}

/// A call as allele sets: `None` when its ploidy is above 2 or an allele index is past 63.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Call {
    /// Called alleles, one bit per allele index.
    alleles: u64,
    /// The two alleles in order (the second `None` for haploid), `None` when missing.
    pair: [Option<u32>; 2],
    haploid: bool,
    /// Some allele is missing.
    missing: bool,
}

fn call(packed: u32) -> Option<Call> {
    if packed == genotype::OVERFLOW {
        return None;
    }
    let Some((alleles, ploidy, _)) = genotype::unpack(packed) else {
        // No GT at all: a missing call.
        return Some(Call {
            alleles: 0,
            pair: [None, None],
            haploid: false,
            missing: true,
        });
    };
    let used = &alleles[..ploidy];
    if used.iter().flatten().any(|&a| a > 63) {
        return None;
    }
    Some(Call {
        alleles: used.iter().flatten().fold(0, |m, &a| m | 1 << a),
        pair: alleles,
        haploid: ploidy == 1,
        missing: used.iter().any(Option::is_none),
    })
}

impl Call {
    fn homozygous(&self) -> bool {
        !self.haploid && !self.missing && self.alleles.count_ones() == 1
    }

    /// The allele a hemizygous (or haploid-inherited) child carries: its only allele, or for a
    /// diploid het the highest (`0/1` counts as `1`).
    fn hemizygous_allele(&self) -> Option<u32> {
        if self.missing || self.alleles == 0 {
            return None;
        }
        Some(63 - self.alleles.leading_zeros())
    }
}

/// How the child's alleles come from its parents at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// One from each parent.
    Diploid,
    /// One, from the mother (a son's chrX outside the PARs, chrM).
    Maternal,
    /// One, from the father (a son's chrY).
    Paternal,
    /// Nothing to check.
    Skip,
}

fn rule(context: Context, child_sex: Sex, child: &Call) -> Rule {
    match context {
        Context::Autosome | Context::XPar => Rule::Diploid,
        Context::XHemizygous => match child_sex {
            Sex::Male => Rule::Maternal,
            Sex::Female => Rule::Diploid,
            // Unknown sex: the ploidy the caller wrote.
            Sex::Unknown if child.haploid => Rule::Maternal,
            Sex::Unknown => Rule::Diploid,
        },
        Context::Y => match child_sex {
            Sex::Male => Rule::Paternal,
            Sex::Unknown if child.haploid => Rule::Paternal,
            _ => Rule::Skip,
        },
        Context::Mito => Rule::Maternal,
    }
}

/// The Mendelian error of a trio's calls (packed genotypes) at a site, `None` when the child's
/// call can come from its parents or cannot be judged.
pub fn check(
    context: Context,
    child_sex: Sex,
    child: u32,
    father: u32,
    mother: u32,
) -> Option<MendelClass> {
    let (c, f, m) = (call(child)?, call(father)?, call(mother)?);
    if c.missing {
        return None;
    }
    match rule(context, child_sex, &c) {
        Rule::Skip => None,
        Rule::Maternal | Rule::Paternal => {
            let from_mother = rule(context, child_sex, &c) == Rule::Maternal;
            let (giver, other) = if from_mother { (m, f) } else { (f, m) };
            let a = c.hemizygous_allele()?;
            // A parent without any called allele could have given anything.
            if giver.alleles == 0 || giver.alleles & 1 << a != 0 {
                return None;
            }
            Some(if other.alleles & 1 << a != 0 {
                MendelClass::LostParentalAllele
            } else {
                MendelClass::DeNovo
            })
        }
        Rule::Diploid => {
            if c.haploid {
                // A haploid child where two alleles are expected: bcftools skips it.
                return None;
            }
            let [Some(c1), Some(c2)] = c.pair else {
                return None;
            };
            let kid = 1u64 << c1 | 1u64 << c2;
            // bcftools' reading of missing parent alleles: on autosomes each missing (or
            // absent, for a haploid parent) allele may be any of the child's; in the chrX
            // region only a parent with no allele at all is a wildcard.
            let set = |p: &Call| -> u64 {
                let wild = if context == Context::XHemizygous {
                    p.alleles == 0
                } else {
                    p.missing || p.haploid
                };
                p.alleles | if wild { kid } else { 0 }
            };
            let (fs, ms) = (set(&f), set(&m));
            let has = |s: u64, a: u32| s & 1 << a != 0;
            if (has(ms, c1) && has(fs, c2)) || (has(ms, c2) && has(fs, c1)) {
                return None;
            }
            Some(classify(c1, c2, fs, ms, &f, &m))
        }
    }
}

/// The class of an inconsistent diploid call `c1/c2` from parent sets `fs` × `ms`.
fn classify(c1: u32, c2: u32, fs: u64, ms: u64, f: &Call, m: &Call) -> MendelClass {
    let either = fs | ms;
    if either & 1 << c1 == 0 || either & 1 << c2 == 0 {
        return MendelClass::DeNovo;
    }
    if c1 != c2 {
        return MendelClass::LostParentalAllele;
    }
    // Homozygous for an allele only one parent has.
    let (giver, other) = if fs & 1 << c1 != 0 { (f, m) } else { (m, f) };
    if giver.homozygous() && other.homozygous() {
        MendelClass::UniparentalDisomy
    } else {
        MendelClass::LossOfHeterozygosity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str) -> u32 {
        let phased = text.contains('|');
        let alleles: Vec<Option<u32>> = text.split(['/', '|']).map(|a| a.parse().ok()).collect();
        genotype::pack(&alleles, phased).unwrap()
    }

    fn auto(kid: &str, fa: &str, mo: &str) -> Option<MendelClass> {
        check(Context::Autosome, Sex::Female, g(kid), g(fa), g(mo))
    }

    #[test]
    fn autosomal_errors_and_their_classes() {
        use MendelClass::*;
        assert_eq!(auto("0/1", "0/0", "0/1"), None);
        assert_eq!(auto("1/1", "0/1", "0/1"), None);
        assert_eq!(auto("0/1", "0/0", "0/0"), Some(DeNovo));
        assert_eq!(auto("0/1", "1/1", "1/1"), Some(DeNovo));
        assert_eq!(auto("1/1", "0/0", "0/0"), Some(DeNovo));
        assert_eq!(auto("1/1", "1/1", "0/0"), Some(UniparentalDisomy));
        assert_eq!(auto("0/0", "1/1", "0/0"), Some(UniparentalDisomy));
        assert_eq!(auto("1/1", "0/1", "0/0"), Some(LossOfHeterozygosity));
        assert_eq!(auto("0/0", "0/1", "1/1"), Some(LossOfHeterozygosity));
        assert_eq!(auto("0/1", "0/1", "2/2"), Some(LostParentalAllele));
        assert_eq!(auto("1/2", "0/1", "0/2"), None);
        assert_eq!(auto("0/0", "1/2", "0/0"), Some(LossOfHeterozygosity));
        // Missing child: nothing to judge; missing parents: wildcards.
        assert_eq!(auto("./.", "0/0", "1/1"), None);
        assert_eq!(auto("0/1", "./.", "0/0"), None);
        assert_eq!(auto("1/1", "./.", "0/0"), Some(LossOfHeterozygosity));
        assert_eq!(auto("1/1", "./1", "0/0"), Some(LossOfHeterozygosity));
        assert_eq!(auto("0/1", "./1", "0/0"), None);
        assert_eq!(auto("0", "0/0", "1/1"), None);
    }

    #[test]
    fn sex_chromosomes_follow_the_pedigree_sex() {
        let x = |sex, kid: &str, fa: &str, mo: &str| {
            check(Context::XHemizygous, sex, g(kid), g(fa), g(mo))
        };
        // A son's chrX is his mother's: 1/1 with a carrier mother and a reference father is fine.
        assert_eq!(x(Sex::Male, "1/1", "0", "0/1"), None);
        assert_eq!(x(Sex::Male, "1", "0/0", "0/1"), None);
        assert_eq!(x(Sex::Male, "0/1", "0", "0/1"), None);
        assert_eq!(x(Sex::Male, "1", "0", "0/0"), Some(MendelClass::DeNovo));
        assert_eq!(
            x(Sex::Male, "1", "1", "0/0"),
            Some(MendelClass::LostParentalAllele)
        );
        // A daughter takes her father's only X.
        assert_eq!(x(Sex::Female, "0/1", "1", "0/0"), None);
        assert_eq!(
            x(Sex::Female, "0/0", "1", "0/0"),
            Some(MendelClass::LossOfHeterozygosity)
        );
        assert_eq!(
            x(Sex::Female, "1/1", "0", "0/1"),
            Some(MendelClass::LossOfHeterozygosity)
        );
        // chrY from the father to a son; daughters are not checked; chrM from the mother.
        assert_eq!(
            check(Context::Y, Sex::Male, g("1"), g("0"), g(".")),
            Some(MendelClass::DeNovo)
        );
        assert_eq!(check(Context::Y, Sex::Male, g("1"), g("1"), g(".")), None);
        assert_eq!(check(Context::Y, Sex::Female, g("1"), g("0"), g(".")), None);
        assert_eq!(
            check(Context::Mito, Sex::Female, g("1"), g("1"), g("0")),
            Some(MendelClass::LostParentalAllele)
        );
        assert_eq!(
            check(Context::Mito, Sex::Male, g("1/1"), g("0"), g("1")),
            None
        );
        // A PAR is inherited like an autosome.
        assert_eq!(
            check(Context::XPar, Sex::Male, g("1/1"), g("0/0"), g("0/1")),
            Some(MendelClass::LossOfHeterozygosity)
        );
    }
}
