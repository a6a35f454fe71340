//! Per-trio QC (CLINICAL.md §5): the Mendelian error rate and the de novo count of each trio,
//! over the kept records (the whole file or the current selection).
//!
//! A trio is three sample indices ([`Trio`]). Which calls are Mendelian errors and which of
//! them are de novo is the pedigree's judgement (bcftools `+mendelian`'s allele-set rule, ploidy
//! from the PED's sex on chrX/chrY/chrM), made once per trio by the inheritance modes
//! (`mendel-error`, `de-novo`) as record bitmaps. Those modes are not on main yet, so this is
//! the hook they plug into: [`trio_qc`] takes each trio's two bitmaps ([`TrioCalls`]) and counts
//! here what is the statistics' own — the kept records where the child is called (the rate's
//! denominator: the records the check can judge, as a missing child call decides nothing and a
//! missing parent allele stands for any allele) and the kept records of each bitmap.
//!
//! [`judge`] makes those bitmaps from a PED: each trio of the pedigree whose three members are
//! samples of the store is evaluated on its own (a pedigree of the three, the child affected)
//! with the `mendel-error` mode without gates (the sites `bcftools +mendelian` counts, as
//! CLINICAL.md §3 checks) and the union of `de-novo` and `x-de-novo` with the default gates —
//! what `enclave view --ped --mode mendel-error --no-gates` and `--mode de-novo --mode
//! x-de-novo` keep for that trio.
//! Every judgement is per record, so the bitmaps of parts of a file add up to the whole's.
//!
//! Where it sits: beside [`super::qc`], after ingest; `QcStats::trios` holds its output.

use crate::bitmap::Bitmap;
use crate::inheritance::{Analysis, Build, Gates, InheritanceError, Mode, Options};
use crate::pedigree::{Pedigree, Sex};
use crate::store::VariantStore;

use super::genotypes::{GenotypeTable, GtType};

/// A trio as sample indices of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trio {
    pub child: usize,
    pub father: usize,
    pub mother: usize,
}

/// One trio and the pedigree's judgements over every record of the store.
#[derive(Debug, Clone, Copy)]
pub struct TrioCalls<'a> {
    pub trio: Trio,
    /// Records where the trio's calls are Mendelian errors (the `mendel-error` mode).
    pub mendel_errors: &'a Bitmap,
    /// Records where the child's call is de novo (the `de-novo` mode).
    pub de_novo: &'a Bitmap,
}

/// One trio's QC numbers over the kept records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrioQc {
    pub child: String,
    pub father: String,
    pub mother: String,
    /// Kept records where the child's genotype is called (no allele missing): the rate's
    /// denominator.
    pub sites: u64,
    pub mendel_errors: u64,
    pub de_novo: u64,
    /// Mendelian errors per called site (`None` without sites).
    pub mendel_error_rate: Option<f64>,
}

/// One trio's judgements over every record of a store, made by [`judge`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrioJudgements {
    pub trio: Trio,
    pub mendel_errors: Bitmap,
    pub de_novo: Bitmap,
}

impl TrioJudgements {
    /// The borrowed form [`trio_qc`] and [`super::qc::compute_with_trios`] take.
    pub fn calls(&self) -> TrioCalls<'_> {
        TrioCalls {
            trio: self.trio,
            mendel_errors: &self.mendel_errors,
            de_novo: &self.de_novo,
        }
    }
}

/// The judgements of every trio of `pedigree` whose child, father and mother are all samples
/// of `store`, in the PED's order. `build` gives the pseudo-autosomal regions when the header
/// names none (an error when the file has chrX records and neither does).
pub fn judge(
    store: &VariantStore,
    pedigree: &Pedigree,
    build: Option<Build>,
) -> Result<Vec<TrioJudgements>, InheritanceError> {
    let matched = pedigree.match_samples(store.samples())?;
    let people = pedigree.individuals();
    let sex = |s: Sex| match s {
        Sex::Male => 1,
        Sex::Female => 2,
        Sex::Unknown => 0,
    };
    let mut out = Vec::new();
    for (c, child) in people.iter().enumerate() {
        let (Some(f), Some(m)) = (child.father, child.mother) else {
            continue;
        };
        let (Some(cs), Some(fs), Some(ms)) =
            (matched.sample(c), matched.sample(f), matched.sample(m))
        else {
            continue;
        };
        // The trio alone, its child affected: the modes judge this child and these parents
        // only, whatever else the family holds (a sibling, a grandparent).
        let (father, mother) = (&people[f], &people[m]);
        let text = format!(
            "T\t{}\t{}\t{}\t{}\t2\nT\t{}\t0\t0\t{}\t1\nT\t{}\t0\t0\t{}\t1\n",
            child.id,
            father.id,
            mother.id,
            sex(child.sex),
            father.id,
            sex(father.sex),
            mother.id,
            sex(mother.sex),
        );
        let trio_pedigree = Pedigree::parse(text.as_bytes())?;
        // Mendelian errors as bcftools +mendelian counts them: no quality gate.
        let ungated = Options {
            gates: Gates::off(),
            build,
            ..Options::default()
        };
        let mendel_errors = Analysis::new(store, &trio_pedigree, ungated)?
            .evaluate(store, Mode::MendelError)
            .fits;
        let options = Options {
            build,
            ..Options::default()
        };
        let analysis = Analysis::new(store, &trio_pedigree, options)?;
        let mut de_novo = analysis.evaluate(store, Mode::DeNovo).fits;
        de_novo.or_with(&analysis.evaluate(store, Mode::XDeNovo).fits);
        out.push(TrioJudgements {
            trio: Trio {
                child: cs,
                father: fs,
                mother: ms,
            },
            mendel_errors,
            de_novo,
        });
    }
    Ok(out)
}

/// The QC numbers of each trio over the records `keep` keeps (every record for `None`). A trio
/// naming a sample the store does not have is left out.
pub fn trio_qc(store: &VariantStore, keep: Option<&Bitmap>, trios: &[TrioCalls]) -> Vec<TrioQc> {
    let names = store.samples();
    let valid: Vec<&TrioCalls> = trios
        .iter()
        .filter(|t| {
            [t.trio.child, t.trio.father, t.trio.mother]
                .iter()
                .all(|&s| s < names.len())
        })
        .collect();
    if valid.is_empty() {
        return Vec::new();
    }
    let table = GenotypeTable::new(store);
    let called = |i: usize, s: usize| {
        !matches!(
            table.class(store, i, s).ty,
            GtType::Missing | GtType::Absent
        )
    };
    let kept = |i: usize| keep.is_none_or(|k| k.get(i));
    valid
        .into_iter()
        .map(|t| {
            let Trio {
                child,
                father,
                mother,
            } = t.trio;
            let mut sites = 0u64;
            let mut visit = |i: usize| {
                if called(i, child) {
                    sites += 1;
                }
            };
            match keep {
                None => (0..store.len()).for_each(&mut visit),
                Some(k) => k
                    .iter_ones()
                    .take_while(|&i| i < store.len())
                    .for_each(&mut visit),
            }
            let count = |b: &Bitmap| {
                b.iter_ones()
                    .take_while(|&i| i < store.len())
                    .filter(|&i| kept(i))
                    .count() as u64
            };
            let mendel_errors = count(t.mendel_errors);
            TrioQc {
                child: names[child].clone(),
                father: names[father].clone(),
                mother: names[mother].clone(),
                sites,
                mendel_errors,
                de_novo: count(t.de_novo),
                mendel_error_rate: (sites > 0).then(|| mendel_errors as f64 / sites as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    const VCF: &str = "##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tDAD\tMUM\n\
1\t10\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/0\t0/0\n\
1\t20\t.\tC\tT\t50\tPASS\t.\tGT\t1/1\t0/1\t0/0\n\
1\t30\t.\tG\tA\t50\tPASS\t.\tGT\t0/1\t./.\t0/0\n\
1\t40\t.\tG\tA\t50\tPASS\t.\tGT\t0/1\t0/1\t0/0\n\
1\t50\t.\tG\tA\t50\tPASS\t.\tGT\t./.\t0/1\t0/0\n";

    #[test]
    fn counts_called_sites_and_the_kept_judgements() {
        let ds = crate::read_dataset(VCF.as_bytes(), None, &mut Silent).unwrap();
        let store = &ds.store;
        // The pedigree's judgements: records 0 (de novo) and 1 (loss of heterozygosity) are
        // errors; record 2 is one too, though a parent is missing (the modes decide that).
        let errors = Bitmap::from_fn(5, |i| i <= 2);
        let de_novo = Bitmap::from_fn(5, |i| i == 0);
        let trio = Trio {
            child: 0,
            father: 1,
            mother: 2,
        };
        let calls = TrioCalls {
            trio,
            mendel_errors: &errors,
            de_novo: &de_novo,
        };
        let all = trio_qc(store, None, &[calls]);
        assert_eq!(all.len(), 1);
        let t = &all[0];
        assert_eq!(
            (t.child.as_str(), t.father.as_str(), t.mother.as_str()),
            ("KID", "DAD", "MUM")
        );
        // The child is called at records 0 to 3.
        assert_eq!((t.sites, t.mendel_errors, t.de_novo), (4, 3, 1));
        assert_eq!(t.mendel_error_rate, Some(0.75));
        // The selection narrows every count.
        let keep = Bitmap::from_fn(5, |i| i != 0);
        let t = &trio_qc(store, Some(&keep), &[calls])[0];
        assert_eq!((t.sites, t.mendel_errors, t.de_novo), (3, 2, 0));
        assert_eq!(t.mendel_error_rate, Some(2.0 / 3.0));
        let keep = Bitmap::from_fn(5, |i| i == 4);
        let t = &trio_qc(store, Some(&keep), &[calls])[0];
        assert_eq!((t.sites, t.mendel_errors, t.de_novo), (0, 0, 0));
        assert_eq!(t.mendel_error_rate, None, "no called site");
        // A trio naming a sample past the store's is left out.
        let bad = TrioCalls {
            trio: Trio { mother: 3, ..trio },
            ..calls
        };
        assert!(trio_qc(store, None, &[bad]).is_empty());
    }
}
