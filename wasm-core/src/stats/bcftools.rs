//! The sections of `bcftools stats -s -` exactly as bcftools 1.24 computes them — SN, TSTV,
//! SiS, AF, QUAL, IDD, ST, DP, PSC, PSI, HWE and VAF — over the columns of a loaded store, for
//! every record or for the records a [`Bitmap`] keeps (a filter's passing rows).
//!
//! [`compute`] walks the kept records once: [`super::alleles`] classifies each record's
//! alleles, [`super::frequency`] bins them by allele frequency, [`sites`] counts the per-site
//! sections and [`samples`] the per-genotype ones (genotype classes judged once per distinct
//! genotype by [`super::genotypes`]). The result, [`BcftoolsStats`], is plain data (serde: the
//! app's QC panel draws it); [`super::text`] prints it in bcftools' text format.
//!
//! The rules, and the few places where Enclave cannot reproduce bcftools, are in
//! docs/STATS.md; comments here name the surprising ones where they are applied.

mod merge;
pub mod samples;
pub mod sites;

use crate::bitmap::Bitmap;
use crate::store::VariantStore;

use super::alleles::RecordAlleles;
use super::bins::DepthKey;
use super::frequency::AfBinning;
use super::genotypes::GenotypeTable;

/// SN: counts of records by the classes of their ALT alleles (a record with a SNP and an
/// indel counts in both).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SummaryNumbers {
    pub samples: u64,
    pub records: u64,
    /// Records whose ALT alleles are all reference-like (`.`, `<*>`, `<NON_REF>`, `X`, REF).
    pub no_alts: u64,
    pub snps: u64,
    pub mnps: u64,
    pub indels: u64,
    /// Records with an "other" allele (symbolic, complex). Breakends and `*` count nowhere.
    pub others: u64,
    pub multiallelic: u64,
    /// Multiallelic records whose ALT alleles are all SNPs.
    pub multiallelic_snps: u64,
}

/// TSTV: transitions and transversions over every SNP allele, and over first ALT alleles.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TsTv {
    pub ts: u64,
    pub tv: u64,
    pub ts_first_alt: u64,
    pub tv_first_alt: u64,
}

impl TsTv {
    /// ts/tv as bcftools prints it (`float` division; 0 when there is no transversion).
    pub fn ratio(&self) -> f32 {
        ratio(self.ts, self.tv)
    }

    pub fn ratio_first_alt(&self) -> f32 {
        ratio(self.ts_first_alt, self.tv_first_alt)
    }
}

fn ratio(a: u64, b: u64) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

/// One row of AF (or SiS): alleles in one allele-frequency bin.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AfBin {
    /// The bin's frequency as bcftools labels it (SiS: 0).
    pub af: f64,
    /// SNP alleles (with an A/C/G/T first base on both sides).
    pub snps: u64,
    pub ts: u64,
    pub tv: u64,
    /// Indel alleles (bcftools' "not applicable" repeat column: no reference is given).
    pub indels: u64,
}

/// One row of QUAL.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QualBin {
    /// The bin's QUAL (`None`: missing or negative QUAL, printed `.`).
    pub qual: Option<f32>,
    /// First-ALT SNPs: `ts + tv`.
    pub snps: u64,
    pub ts: u64,
    pub tv: u64,
    /// Records with an indel (one per record).
    pub indels: u64,
}

/// One row of IDD: indel alleles of one length (deletions negative; ±60 stands for ≥ 60).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IndelLength {
    pub length: i32,
    pub sites: u64,
    /// Genotypes whose allele of this length had reads in AD (see docs/STATS.md: bcftools
    /// files SNP and MNP alleles under the positive lengths here).
    pub genotypes: u64,
    /// Their mean VAF (`None` when there are none).
    pub mean_vaf: Option<f64>,
    /// The sum of their VAFs, so that parts of a file merge ([`BcftoolsStats::merge`]).
    #[serde(default)]
    pub vaf_sum: f64,
}

/// One row of DP: genotypes and sites of one depth.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DepthBin {
    pub depth: DepthKey,
    /// Genotypes with this FORMAT depth (FORMAT/DP, else the sum of AD; depth 0 is not
    /// counted).
    pub genotypes: u64,
    /// Sites with this INFO/DP (a missing INFO/DP counts below 0).
    pub sites: u64,
}

/// One row of PSC.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleCounts {
    pub sample: String,
    /// Hom-ref genotypes at every site, and hom-alt / het genotypes at SNP and reference-like
    /// sites (indels have PSI).
    pub ref_hom: u64,
    pub non_ref_hom: u64,
    pub hets: u64,
    pub ts: u64,
    pub tv: u64,
    pub indels: u64,
    /// Mean depth over genotypes with a depth above 0 (`float`, as printed).
    pub mean_depth: f32,
    pub singletons: u64,
    pub hap_ref: u64,
    pub hap_alt: u64,
    pub missing: u64,
    /// The depths behind `mean_depth` (their sum and number), so that parts of a file merge.
    #[serde(default)]
    pub depth_sum: u64,
    #[serde(default)]
    pub depth_n: u64,
}

/// One row of PSI (frameshift columns are 0: bcftools fills them only with `-E`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleIndels {
    pub sample: String,
    pub ins_hets: u64,
    pub del_hets: u64,
    pub ins_alt_homs: u64,
    pub del_alt_homs: u64,
}

/// One row of HWE: sites in one first-ALT frequency bin, with the quartiles of their
/// fraction of het genotypes (in hundredths, as bcftools bins it).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HweBin {
    pub af: f64,
    pub sites: u64,
    pub p25: f32,
    pub median: f32,
    pub p75: f32,
    /// Sites per hundredth of het fraction (100 bins), the counts behind the quartiles, so
    /// that parts of a file merge.
    #[serde(default)]
    pub het_fractions: Vec<u64>,
}

/// One row of VAF: a sample's alternate-read fractions (from AD) in 21 bins of 0.05, for SNV
/// alleles and for every other allele.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleVaf {
    pub sample: String,
    pub snv: Vec<u64>,
    pub indel: Vec<u64>,
}

/// Every section of `bcftools stats -s -` for one set of records.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BcftoolsStats {
    pub summary: SummaryNumbers,
    pub tstv: TsTv,
    /// SiS: singleton alleles (AC = 1, or unknown frequency).
    pub singletons: AfBin,
    /// AF rows with any count (singletons merged into the first bin, as bcftools does).
    pub af: Vec<AfBin>,
    pub qual: Vec<QualBin>,
    /// IDD rows: deletions from the longest, then insertions. Rows without sites but with
    /// genotypes are kept (the genotype columns count SNP and MNP alleles under lengths no
    /// indel has; parts of a file need them to merge); bcftools prints the rows with sites.
    pub indel_lengths: Vec<IndelLength>,
    /// ST: the twelve substitutions `A>C`, `A>G`, … `T>G`, in that order.
    pub substitutions: Vec<(String, u64)>,
    /// DP rows with any count.
    pub depth: Vec<DepthBin>,
    /// PSC, one row per sample (empty without samples).
    pub samples: Vec<SampleCounts>,
    /// PSI, one row per sample.
    pub sample_indels: Vec<SampleIndels>,
    pub hwe: Vec<HweBin>,
    /// VAF, one row per sample; `None` when the header declares no FORMAT/AD (or there are no
    /// samples), where bcftools prints no VAF section.
    pub vaf: Option<Vec<SampleVaf>>,
}

impl BcftoolsStats {
    /// Genotypes counted in DP (for percentages).
    pub fn depth_genotypes(&self) -> u64 {
        self.depth.iter().map(|d| d.genotypes).sum()
    }

    /// Sites counted in DP (for percentages).
    pub fn depth_sites(&self) -> u64 {
        self.depth.iter().map(|d| d.sites).sum()
    }
}

/// The statistics of the records of `store` that `keep` keeps (every record for `None`).
///
/// ```
/// use wasm_core::stats::bcftools;
/// let vcf = concat!(
///     "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"\">\n",
///     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n",
///     "1\t10\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n",
///     "1\t20\t.\tC\tA,CT\t.\tPASS\t.\tGT\t1/2\n",
/// );
/// let ds = wasm_core::read_dataset(vcf.as_bytes(), None, &mut wasm_core::progress::Silent).unwrap();
/// let s = bcftools::compute(&ds.store, None);
/// assert_eq!((s.summary.snps, s.summary.indels, s.summary.multiallelic), (2, 1, 1));
/// assert_eq!((s.tstv.ts, s.tstv.tv), (1, 1));
/// // The 1/2 het has a SNP allele and an indel allele: it counts in both.
/// assert_eq!((s.samples[0].hets, s.samples[0].indels), (2, 1));
/// ```
pub fn compute(store: &VariantStore, keep: Option<&Bitmap>) -> BcftoolsStats {
    let table = GenotypeTable::new(store);
    let binning = AfBinning::new(store);
    let mut sites = sites::Sites::new(store, binning.bins);
    let mut smpl = samples::Samples::new(store, &table, binning.bins);
    let mut alleles = RecordAlleles::default();
    let (mut counts, mut bins) = (Vec::new(), Vec::new());
    let n_samples = store.samples().len();
    let mut visit = |i: usize| {
        alleles.classify(store.reference(i), store.alt_alleles(i));
        let has_gt = n_samples > 0 && smpl.has_genotypes(i);
        binning.bin_record(
            store,
            &table,
            i,
            alleles.len(),
            has_gt,
            &mut counts,
            &mut bins,
        );
        sites.add(store, i, &alleles, &bins);
        if n_samples > 0 {
            smpl.add(i, &alleles, &bins, has_gt);
        }
    };
    match keep {
        None => (0..store.len()).for_each(&mut visit),
        Some(keep) => keep
            .iter_ones()
            .filter(|&i| i < store.len())
            .for_each(&mut visit),
    }
    let mut out = BcftoolsStats::default();
    sites.finish(&binning, &mut out);
    smpl.finish(&binning, &mut out);
    out.summary.samples = n_samples as u64;
    out.depth.retain(|d| d.genotypes + d.sites > 0);
    out.indel_lengths.retain(|d| d.genotypes + d.sites > 0);
    out
}
