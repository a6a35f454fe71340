//! A realistic whole-genome VCF for the benchmarks: the shape of a one- or three-sample GRCh38
//! WGS call set, any size, written as a stream.
//!
//! [`write_genome_vcf`] writes VCF 4.2 text to any [`Write`] one record at a time: 5 million
//! records are ~1.1 GB of text, which is never held in memory. What the file looks like, and why:
//! - header: `##reference=GRCh38`, one `##contig` per GRCh38 primary chromosome with its real
//!   length ([`GRCH38`]), FILTER PASS/LowQual/LowDP, INFO AC/AF/AN/DP/MQ and a VEP `CSQ`
//!   ([`CSQ_FORMAT`]), FORMAT GT:AD:DP:GQ:PL; samples HG002 (then HG003, HG004: the names of the
//!   GIAB trio);
//! - records over chr1–22, X, Y in proportion to length, positions strictly increasing within a
//!   contig; the spacing follows the requested count (one variant per ~620 bp at 5 million, the
//!   density of a WGS call set);
//! - ~85 % SNVs (transitions twice as often as transversions), ~13 % indels, ~2 % multi-allelic
//!   sites; AD has one value per allele and PL one per genotype (VCF 4.2 §1.4.2, Number=R and
//!   Number=G), GQ is the second-smallest PL capped at 99, as callers write it;
//! - genotypes of the first sample ~60 % het, ~35 % hom-alt, ~5 % missing (`./.`); further samples
//!   also carry hom-ref calls; QUAL below 30 on ~10 % of sites (FILTER `LowQual`), mostly where
//!   depth is low (FILTER `LowDP`), so `QUAL>30` and `INFO/DP>10` keep realistic shares;
//! - a VEP `CSQ` on ~30 % of records: 1–3 transcripts of a real gene symbol of that chromosome
//!   (one gene per stretch of chromosome, so neighbouring variants share it), Ensembl consequence
//!   terms with their IMPACT class, HGVS notation. Gene, transcript and protein IDs have Ensembl's
//!   shape but are synthetic.
//!
//! Floats are written the way htslib prints them (`0.5`, `60`, `734.64`), so `bcftools view` and
//! an exact re-writer reproduce each line byte for byte and outputs can be compared line by line.
//! Only integer arithmetic: the same [`GenomeSpec`] (seed included) gives the same bytes on every
//! platform, natively and in wasm32.

use std::io::{self, Write};

use enclave_test_support::rng::SplitMix64;

/// The GRCh38 primary chromosomes in reference order, with their lengths (UCSC names, as in the
/// `##contig` lines of the GATK hg38 bundle).
pub const GRCH38: [(&str, u64); 24] = [
    ("chr1", 248_956_422),
    ("chr2", 242_193_529),
    ("chr3", 198_295_559),
    ("chr4", 190_214_555),
    ("chr5", 181_538_259),
    ("chr6", 170_805_979),
    ("chr7", 159_345_973),
    ("chr8", 145_138_636),
    ("chr9", 138_394_717),
    ("chr10", 133_797_422),
    ("chr11", 135_086_622),
    ("chr12", 133_275_309),
    ("chr13", 114_364_328),
    ("chr14", 107_043_718),
    ("chr15", 101_991_189),
    ("chr16", 90_338_345),
    ("chr17", 83_257_441),
    ("chr18", 80_373_285),
    ("chr19", 58_617_616),
    ("chr20", 64_444_167),
    ("chr21", 46_709_983),
    ("chr22", 50_818_468),
    ("chrX", 156_040_895),
    ("chrY", 57_227_415),
];

/// Real gene symbols of each chromosome, in [`GRCH38`] order. Their order along a chromosome is
/// not the real one: each takes an equal stretch, which is enough for a gene query to find the
/// variants annotated with it.
pub const GENES: [&[&str]; 24] = [
    &[
        "MTHFR", "PCSK9", "NRAS", "MUTYH", "LMNA", "F5", "CFH", "USH2A", "RYR2", "SDHB",
    ],
    &[
        "MSH2", "MSH6", "APOB", "ALK", "SCN1A", "COL3A1", "BMPR2", "TTN", "SPAST", "EPCAM",
    ],
    &[
        "MLH1", "VHL", "PIK3CA", "SCN5A", "CTNNB1", "TGFBR2", "BAP1", "MITF",
    ],
    &[
        "FGFR3", "KIT", "PDGFRA", "HTT", "PKD2", "SNCA", "FGB", "ADH1B",
    ],
    &[
        "APC", "TERT", "NIPBL", "FBN2", "SMN1", "PDGFRB", "MCC", "IL7R",
    ],
    &["HLA-A", "HLA-B", "HFE", "PRKN", "COL11A2", "TNF", "ESR1"],
    &["CFTR", "EGFR", "BRAF", "MET", "KCNH2", "ELN", "SHH", "PMS2"],
    &["MYC", "NBN", "FGFR1", "TG", "EXT1", "RECQL4", "CHD7", "WRN"],
    &[
        "CDKN2A", "TSC1", "ABL1", "NOTCH1", "PTCH1", "GNAQ", "JAK2", "FANCC",
    ],
    &[
        "PTEN", "RET", "FGFR2", "CYP2C19", "CYP2C9", "BMPR1A", "SUFU", "ERCC6",
    ],
    &["HBB", "WT1", "ATM", "MEN1", "KCNQ1", "SDHD", "TH", "APOA1"],
    &[
        "KRAS", "CDK4", "PAH", "VWF", "MDM2", "HNF1A", "SCNN1A", "PKP2",
    ],
    &[
        "BRCA2", "RB1", "FLT3", "ATP7B", "GJB2", "PCCA", "ZIC2", "SGCG",
    ],
    &[
        "MYH7", "NKX2-1", "SERPINA1", "FOXG1", "TSHR", "AKT1", "DICER1", "POMT2",
    ],
    &[
        "FBN1", "CYP19A1", "IDH2", "BLM", "UBE3A", "HEXA", "CHD2", "SMAD3",
    ],
    &[
        "TSC2", "PKD1", "CDH1", "PALB2", "FTO", "CREBBP", "MC1R", "CYLD",
    ],
    &[
        "TP53", "BRCA1", "NF1", "ERBB2", "STAT3", "RARA", "COL1A1", "SOX9",
    ],
    &[
        "SMAD4", "DCC", "BCL2", "TCF4", "LAMA3", "DSC2", "NPC1", "MC4R",
    ],
    &[
        "APOE", "LDLR", "STK11", "INSR", "NOTCH3", "RYR1", "JAK3", "CACNA1A",
    ],
    &[
        "GNAS", "HNF4A", "JAG1", "ADA", "SRC", "BMP2", "PRNP", "KCNQ2",
    ],
    &[
        "APP", "RUNX1", "SOD1", "CBS", "DYRK1A", "ERG", "COL6A1", "KCNE1",
    ],
    &[
        "NF2", "CHEK2", "BCR", "COMT", "SMARCB1", "MYH9", "EP300", "PDGFB",
    ],
    &["DMD", "F8", "F9", "FMR1", "MECP2", "AR", "GLA", "OTC"],
    &[
        "SRY", "ZFY", "UTY", "KDM5D", "DDX3Y", "USP9Y", "EIF1AY", "NLGN4Y",
    ],
];

/// The sub-fields of each `CSQ` entry, as VEP names them in the header's Description.
pub const CSQ_FORMAT: &str = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|\
BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|\
Codons|Existing_variation|DISTANCE|STRAND|CANONICAL";

/// Sample names, first to last: the GIAB Ashkenazi trio (son, father, mother).
pub const SAMPLE_NAMES: [&str; 3] = ["HG002", "HG003", "HG004"];

/// The most records one file may hold: at 100 million the spacing is ~30 bp, still strictly
/// increasing on the shortest chromosome.
pub const MAX_RECORDS: u64 = 100_000_000;

/// The seed the benchmark files use.
pub const DEFAULT_SEED: u64 = 0x6772_6368_3338; // "grch38"

/// No variant within this many bases of a chromosome end (GRCh38's telomeric N runs).
const TELOMERE: u64 = 10_000;
/// Longer than any REF allele written, so a record never runs past its contig's end.
const MAX_REF_LEN: u64 = 64;
const BASES: [u8; 4] = *b"ACGT";
/// One- and three-letter amino acid codes (HGVS protein notation uses the three-letter ones).
const AMINO_ACIDS: [(char, &str); 20] = [
    ('A', "Ala"),
    ('R', "Arg"),
    ('N', "Asn"),
    ('D', "Asp"),
    ('C', "Cys"),
    ('Q', "Gln"),
    ('E', "Glu"),
    ('G', "Gly"),
    ('H', "His"),
    ('I', "Ile"),
    ('L', "Leu"),
    ('K', "Lys"),
    ('M', "Met"),
    ('F', "Phe"),
    ('P', "Pro"),
    ('S', "Ser"),
    ('T', "Thr"),
    ('W', "Trp"),
    ('Y', "Tyr"),
    ('V', "Val"),
];

/// What to generate: `records` records with `samples` samples (1 to 3), from `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenomeSpec {
    pub records: u64,
    pub samples: usize,
    pub seed: u64,
}

impl GenomeSpec {
    /// A benchmark file's spec: [`DEFAULT_SEED`].
    pub fn new(records: u64, samples: usize) -> Self {
        Self {
            records,
            samples,
            seed: DEFAULT_SEED,
        }
    }
}

/// Counts of what [`write_genome_vcf`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenomeSummary {
    pub records: u64,
    /// Bytes of VCF text, header included.
    pub text_bytes: u64,
    pub snvs: u64,
    pub indels: u64,
    pub multiallelic: u64,
    /// Records with a `CSQ`.
    pub annotated: u64,
}

/// Writes the VCF text of `spec` to `out`, record by record; returns what it wrote.
///
/// Fails with [`io::ErrorKind::InvalidInput`] when `spec` asks for no sample, more than three, or
/// more than [`MAX_RECORDS`] records, and with `out`'s error when writing fails.
pub fn write_genome_vcf<W: Write>(out: W, spec: &GenomeSpec) -> io::Result<GenomeSummary> {
    if !(1..=SAMPLE_NAMES.len()).contains(&spec.samples) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a genome VCF has 1 to 3 samples, not {}", spec.samples),
        ));
    }
    if spec.records > MAX_RECORDS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a genome VCF has at most {MAX_RECORDS} records, not {}",
                spec.records
            ),
        ));
    }
    let mut out = Counting {
        inner: out,
        bytes: 0,
    };
    write_header(&mut out, spec.samples)?;
    let mut rng = Rng(SplitMix64(spec.seed));
    let genome: u64 = GRCH38.iter().map(|&(_, length)| length).sum();
    let mut summary = GenomeSummary::default();
    let mut line = Vec::with_capacity(8 << 10);
    let (mut through, mut written) = (0u64, 0u64);
    for (contig, ((name, length), genes)) in GRCH38.iter().zip(GENES).enumerate() {
        // Cumulative rounding: the contigs' shares add up to exactly `records`.
        through += length;
        let upto = mul_div(spec.records, through, genome);
        let n = upto - written;
        written = upto;
        // Stratified positions: record k lies in [lo_k, lo_{k+1}), so positions strictly increase
        // while the gaps vary like real ones.
        let (start, span) = (TELOMERE + 1, length - 2 * TELOMERE - MAX_REF_LEN);
        for k in 0..n {
            let lo = start + mul_div(k, span, n);
            let hi = start + mul_div(k + 1, span, n);
            let site = Site {
                chrom: name,
                contig: contig as u64,
                length: *length,
                pos: lo + rng.below((hi - lo).max(1)),
                genes,
            };
            line.clear();
            let written = write_record(&mut line, &mut rng, &site, spec.samples)?;
            out.write_all(&line)?;
            summary.records += 1;
            match written.kind {
                Kind::Snv => summary.snvs += 1,
                Kind::Indel => summary.indels += 1,
                Kind::MultiAllelic => summary.multiallelic += 1,
            }
            summary.annotated += u64::from(written.annotated);
        }
    }
    out.flush()?;
    summary.text_bytes = out.bytes;
    Ok(summary)
}

/// `a * b / c` without overflow (`c > 0`).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    (u128::from(a) * u128::from(b) / u128::from(c.max(1))) as u64
}

/// Counts the bytes written through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The genome's draws, from the project's one generator ([`SplitMix64`], the same sequence
/// everywhere).
struct Rng(SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next()
    }

    /// Uniform in `0..n` (0 when `n` is 0), by multiply-shift (the high word of `next() × n`)
    /// rather than the tests' modulo: the genomes of BENCHMARKS.md were generated this way.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `p` per thousand.
    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn base(&mut self) -> u8 {
        BASES[(self.next() >> 62) as usize]
    }

    fn amino_acid(&mut self) -> (char, &'static str) {
        AMINO_ACIDS[self.below(AMINO_ACIDS.len() as u64) as usize]
    }
}

fn write_header<W: Write>(out: &mut W, samples: usize) -> io::Result<()> {
    out.write_all(
        b"##fileformat=VCFv4.2\n\
##FILTER=<ID=PASS,Description=\"All filters passed\">\n\
##FILTER=<ID=LowQual,Description=\"Low quality (QUAL < 30)\">\n\
##FILTER=<ID=LowDP,Description=\"Low depth (INFO/DP < 10)\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths for the ref and alt alleles in the order listed\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Approximate read depth (reads with MQ=255 or with bad mates are filtered)\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype Quality\">\n\
##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"Normalized, Phred-scaled likelihoods for genotypes as defined in the VCF specification\">\n\
##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes, for each ALT allele, in the same order as listed\">\n\
##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele Frequency, for each ALT allele, in the same order as listed\">\n\
##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Approximate read depth; some reads may have been filtered\">\n\
##INFO=<ID=MQ,Number=1,Type=Float,Description=\"RMS Mapping Quality\">\n",
    )?;
    writeln!(
        out,
        "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from \
         Ensembl VEP. Format: {CSQ_FORMAT}\">"
    )?;
    for (name, length) in GRCH38 {
        writeln!(out, "##contig=<ID={name},length={length},assembly=GRCh38>")?;
    }
    out.write_all(
        b"##reference=GRCh38\n\
##source=enclave-bench genome generator (synthetic data for benchmarks)\n\
##VEP=\"v110\" cache=\"homo_sapiens/110_GRCh38\" assembly=\"GRCh38\"\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    )?;
    for name in &SAMPLE_NAMES[..samples] {
        write!(out, "\t{name}")?;
    }
    out.write_all(b"\n")
}

/// Where a record goes.
struct Site<'a> {
    chrom: &'a str,
    contig: u64,
    length: u64,
    pos: u64,
    genes: &'a [&'a str],
}

#[derive(Clone, Copy)]
enum Kind {
    Snv,
    Indel,
    MultiAllelic,
}

struct Written {
    kind: Kind,
    annotated: bool,
}

/// One call: allele indices, `None` for `./.`.
type Genotype = Option<(u8, u8)>;

struct Call {
    genotype: Genotype,
    depth: u64,
}

/// Writes one record line (with its newline) to `line`.
fn write_record(
    line: &mut Vec<u8>,
    rng: &mut Rng,
    site: &Site,
    samples: usize,
) -> io::Result<Written> {
    let (kind, reference, alts) = alleles(rng);
    let n_alts = alts.len() as u8;
    // dbSNP IDs on most SNVs, fewer indels, as in an annotated call set.
    let rs = rng
        .per_mille(if matches!(kind, Kind::Snv) { 800 } else { 500 })
        .then(|| 1_000 + rng.below(1_500_000_000));
    let low_depth = rng.per_mille(70);
    let calls: Vec<Call> = (0..samples)
        .map(|s| Call {
            genotype: genotype(rng, s == 0, n_alts),
            depth: if low_depth {
                2 + rng.below(8)
            } else {
                12 + rng.below(13) + rng.below(13) + rng.below(13)
            },
        })
        .collect();
    let depth: u64 = calls.iter().map(|c| c.depth).sum();
    let low_qual = rng.per_mille(if low_depth { 700 } else { 80 });
    // QUAL in hundredths: 3.00–29.99 for low-quality calls, else from 30.01 up to ~30 per read
    // (below 10,000: htslib prints six significant digits).
    let qual = if low_qual {
        300 + rng.below(2_700)
    } else {
        3_001 + rng.below((depth * 3_000).min(996_998) + 1)
    };

    write!(line, "{}\t{}\t", site.chrom, site.pos)?;
    match rs {
        Some(rs) => write!(line, "rs{rs}")?,
        None => line.push(b'.'),
    }
    line.push(b'\t');
    line.extend_from_slice(&reference);
    line.push(b'\t');
    for (i, alt) in alts.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(alt);
    }
    line.push(b'\t');
    decimal(line, qual, 2)?;
    line.push(b'\t');
    match (qual < 3_000, depth < 10) {
        (false, false) => line.extend_from_slice(b"PASS"),
        (true, false) => line.extend_from_slice(b"LowQual"),
        (false, true) => line.extend_from_slice(b"LowDP"),
        (true, true) => line.extend_from_slice(b"LowQual;LowDP"),
    }
    // INFO in GATK's order: AC, AF, AN (over called samples), DP, MQ, then VEP's CSQ.
    let called: Vec<(u8, u8)> = calls.iter().filter_map(|c| c.genotype).collect();
    let an = 2 * called.len() as u64;
    line.push(b'\t');
    if !called.is_empty() {
        let counts: Vec<u64> = (1..=n_alts)
            .map(|alt| {
                called
                    .iter()
                    .map(|&(a, b)| u64::from(a == alt) + u64::from(b == alt))
                    .sum()
            })
            .collect();
        line.extend_from_slice(b"AC=");
        list(line, &counts)?;
        line.extend_from_slice(b";AF=");
        for (i, count) in counts.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            decimal(line, (count * 1000 + an / 2) / an, 3)?;
        }
        write!(line, ";AN={an};")?;
    }
    write!(line, "DP={depth};MQ=")?;
    let mq = if rng.per_mille(700) {
        6_000
    } else {
        4_000 + rng.below(2_000)
    };
    decimal(line, mq, 2)?;
    let annotated = rng.per_mille(300);
    if annotated {
        line.extend_from_slice(b";CSQ=");
        write_csq(line, rng, site, &reference, &alts, rs)?;
    }
    line.extend_from_slice(b"\tGT:AD:DP:GQ:PL");
    let n_alleles = usize::from(n_alts) + 1;
    for call in &calls {
        let Some((a, b)) = call.genotype else {
            line.extend_from_slice(b"\t./.:.:.:.:.");
            continue;
        };
        write!(line, "\t{a}/{b}:")?;
        // Reads by allele; callers leave a few uninformative reads out of AD.
        let informative = call.depth - rng.below(call.depth / 10 + 1);
        let mut ad = vec![0u64; n_alleles];
        if a == b {
            let errors = rng.below(2).min(informative);
            ad[usize::from(a)] = informative - errors;
            ad[if a == 0 { 1 } else { 0 }] += errors;
        } else {
            let first = informative * (35 + rng.below(31)) / 100;
            ad[usize::from(a)] = first;
            ad[usize::from(b)] = informative - first;
        }
        list(line, &ad)?;
        write!(line, ":{}:", call.depth)?;
        // PL in VCF order: genotype (j, k), j ≤ k, at k(k+1)/2 + j (VCF 4.2 §1.6.2).
        let mut pl = Vec::with_capacity(n_alleles * (n_alleles + 1) / 2);
        for k in 0..n_alleles as u8 {
            for j in 0..=k {
                // Alleles of (j, k) the call does not have: 0 for the call itself.
                let mismatches = if (j, k) == (a, b) {
                    0
                } else if j == a || j == b || k == a || k == b {
                    1
                } else {
                    2
                };
                pl.push(if mismatches == 0 {
                    0
                } else {
                    mismatches * (3 * call.depth + 10) + rng.below(2 * call.depth + 5)
                });
            }
        }
        let gq = pl
            .iter()
            .copied()
            .filter(|&p| p > 0)
            .min()
            .unwrap_or(99)
            .min(99);
        write!(line, "{gq}:")?;
        list(line, &pl)?;
    }
    line.push(b'\n');
    Ok(Written { kind, annotated })
}

/// REF and ALT alleles of a new site: ~85 % SNV, ~13 % indel, ~2 % multi-allelic.
fn alleles(rng: &mut Rng) -> (Kind, Vec<u8>, Vec<Vec<u8>>) {
    let anchor = rng.base();
    match rng.below(1000) {
        0..850 => {
            let alt = if rng.below(3) < 2 {
                transition(anchor)
            } else {
                let [x, y] = transversions(anchor);
                if rng.below(2) == 0 { x } else { y }
            };
            (Kind::Snv, vec![anchor], vec![vec![alt]])
        }
        850..980 => {
            let len = indel_length(rng);
            let mut long = vec![anchor];
            long.extend((0..len).map(|_| rng.base()));
            if rng.per_mille(550) {
                (Kind::Indel, long, vec![vec![anchor]])
            } else {
                (Kind::Indel, vec![anchor], vec![long])
            }
        }
        _ => {
            let n_alts = if rng.per_mille(850) { 2 } else { 3 };
            if rng.per_mille(650) {
                // Two or three different bases at one position.
                let others = [
                    transition(anchor),
                    transversions(anchor)[0],
                    transversions(anchor)[1],
                ];
                let first = rng.below(3) as usize;
                let alts = (0..n_alts).map(|i| vec![others[(first + i) % 3]]).collect();
                (Kind::MultiAllelic, vec![anchor], alts)
            } else {
                // A homopolymer run whose length varies: one unit shorter, longer, two shorter.
                let unit = rng.base();
                let run = 2 + rng.below(5) as usize;
                let allele = |units: usize| {
                    let mut a = vec![anchor];
                    a.resize(1 + units, unit);
                    a
                };
                let alts = [run - 1, run + 1, run - 2][..n_alts]
                    .iter()
                    .map(|&u| allele(u))
                    .collect();
                (Kind::MultiAllelic, allele(run), alts)
            }
        }
    }
}

/// Indel lengths: mostly 1–4 bases, a tail to 30.
fn indel_length(rng: &mut Rng) -> usize {
    (match rng.below(100) {
        0..45 => 1,
        45..65 => 2,
        65..75 => 3,
        75..83 => 4,
        83..95 => 5 + rng.below(6),
        _ => 11 + rng.below(20),
    }) as usize
}

fn transition(base: u8) -> u8 {
    match base {
        b'A' => b'G',
        b'G' => b'A',
        b'C' => b'T',
        _ => b'C',
    }
}

fn transversions(base: u8) -> [u8; 2] {
    match base {
        b'A' | b'G' => [b'C', b'T'],
        _ => [b'A', b'G'],
    }
}

fn complement(base: u8) -> u8 {
    match base {
        b'A' => b'T',
        b'T' => b'A',
        b'C' => b'G',
        _ => b'C',
    }
}

/// A genotype: the first sample is the proband of a call set (het ~60 %, hom-alt ~35 %, missing
/// ~5 %); the others are relatives, so hom-ref calls appear too.
fn genotype(rng: &mut Rng, first: bool, n_alts: u8) -> Genotype {
    let roll = rng.below(100);
    let (missing, hom_ref, het) = if first { (5, 5, 65) } else { (5, 40, 75) };
    let alt = 1 + rng.below(u64::from(n_alts)) as u8;
    if roll < missing {
        None
    } else if roll < hom_ref {
        Some((0, 0))
    } else if roll < het {
        if n_alts >= 2 && rng.per_mille(300) {
            Some((1, 2))
        } else {
            Some((0, alt))
        }
    } else {
        Some((alt, alt))
    }
}

/// Writes `value / 10^scale` as htslib prints a float: no trailing zeros, no trailing point.
fn decimal(line: &mut Vec<u8>, value: u64, scale: u32) -> io::Result<()> {
    let unit = 10u64.pow(scale);
    write!(line, "{}", value / unit)?;
    let mut fraction = value % unit;
    if fraction == 0 {
        return Ok(());
    }
    let mut digits = scale as usize;
    while fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    write!(line, ".{fraction:0digits$}")
}

/// Writes comma-separated numbers.
fn list(line: &mut Vec<u8>, values: &[u64]) -> io::Result<()> {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        write!(line, "{v}")?;
    }
    Ok(())
}

/// Where in a transcript a variant falls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Coding,
    Intron,
    Utr5,
    Utr3,
    Upstream,
    Downstream,
    NonCodingExon,
    SpliceRegion,
    SpliceSite,
}

fn place(rng: &mut Rng) -> Place {
    match rng.below(1000) {
        0..400 => Place::Intron,
        400..490 => Place::Upstream,
        490..570 => Place::Downstream,
        570..650 => Place::Utr3,
        650..680 => Place::Utr5,
        680..740 => Place::NonCodingExon,
        740..770 => Place::SpliceRegion,
        770..780 => Place::SpliceSite,
        _ => Place::Coding,
    }
}

/// A consequence for one allele on one transcript: its Ensembl term and VEP IMPACT class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    Missense,
    MissenseSplice,
    Synonymous,
    StopGained,
    StartLost,
    StopLost,
    Frameshift,
    InframeDeletion,
    InframeInsertion,
    SpliceDonor,
    SpliceAcceptor,
    SpliceRegion,
    Intron,
    Utr5,
    Utr3,
    Upstream,
    Downstream,
    NonCodingExon,
    NonCodingIntron,
}

impl Effect {
    /// The consequence, most severe term first (as VEP orders `&`-joined terms).
    fn term(self) -> &'static str {
        match self {
            Effect::Missense => "missense_variant",
            Effect::MissenseSplice => "missense_variant&splice_region_variant",
            Effect::Synonymous => "synonymous_variant",
            Effect::StopGained => "stop_gained",
            Effect::StartLost => "start_lost",
            Effect::StopLost => "stop_lost",
            Effect::Frameshift => "frameshift_variant",
            Effect::InframeDeletion => "inframe_deletion",
            Effect::InframeInsertion => "inframe_insertion",
            Effect::SpliceDonor => "splice_donor_variant",
            Effect::SpliceAcceptor => "splice_acceptor_variant",
            Effect::SpliceRegion => "splice_region_variant&intron_variant",
            Effect::Intron => "intron_variant",
            Effect::Utr5 => "5_prime_UTR_variant",
            Effect::Utr3 => "3_prime_UTR_variant",
            Effect::Upstream => "upstream_gene_variant",
            Effect::Downstream => "downstream_gene_variant",
            Effect::NonCodingExon => "non_coding_transcript_exon_variant",
            Effect::NonCodingIntron => "intron_variant&non_coding_transcript_variant",
        }
    }

    /// VEP's IMPACT of the most severe term.
    fn impact(self) -> &'static str {
        match self {
            Effect::StopGained
            | Effect::StartLost
            | Effect::StopLost
            | Effect::Frameshift
            | Effect::SpliceDonor
            | Effect::SpliceAcceptor => "HIGH",
            Effect::Missense
            | Effect::MissenseSplice
            | Effect::InframeDeletion
            | Effect::InframeInsertion => "MODERATE",
            Effect::Synonymous | Effect::SpliceRegion => "LOW",
            _ => "MODIFIER",
        }
    }

    fn coding(self) -> bool {
        matches!(
            self,
            Effect::Missense
                | Effect::MissenseSplice
                | Effect::Synonymous
                | Effect::StopGained
                | Effect::StartLost
                | Effect::StopLost
                | Effect::Frameshift
                | Effect::InframeDeletion
                | Effect::InframeInsertion
        )
    }

    fn exonic(self) -> bool {
        self.coding() || matches!(self, Effect::Utr5 | Effect::Utr3 | Effect::NonCodingExon)
    }

    fn intronic(self) -> bool {
        matches!(
            self,
            Effect::Intron
                | Effect::NonCodingIntron
                | Effect::SpliceRegion
                | Effect::SpliceDonor
                | Effect::SpliceAcceptor
        )
    }
}

/// How an ALT differs from REF, as VEP and HGVS see it (bases on the genome's forward strand).
#[derive(Clone, Copy)]
enum Change<'a> {
    Snv(u8, u8),
    Deletion(&'a [u8]),
    Insertion(&'a [u8]),
}

fn change<'a>(reference: &'a [u8], alt: &'a [u8]) -> Change<'a> {
    match (reference, alt) {
        ([r], [a]) => Change::Snv(*r, *a),
        // The generator writes indels with the shorter allele a prefix of the longer one.
        _ if alt.len() < reference.len() => Change::Deletion(&reference[alt.len()..]),
        _ => Change::Insertion(&alt[reference.len().min(alt.len())..]),
    }
}

/// One transcript of the annotated gene.
struct Transcript {
    feature: u64,
    version: u64,
    biotype: &'static str,
    place: Place,
    /// Which coding consequence an SNV has (per mille).
    coding_roll: u64,
    exon: u64,
    exons: u64,
    cds: u64,
    /// Distance into an intron, a UTR or the flank.
    offset: u64,
    /// Intronic variants after the exon (`c.N+k`) rather than before the next (`c.N-k`); donor
    /// rather than acceptor splice sites.
    donor_side: bool,
    reverse: bool,
    canonical: bool,
}

/// Writes the `CSQ` value: one entry per ALT allele per transcript (VEP's layout).
fn write_csq(
    line: &mut Vec<u8>,
    rng: &mut Rng,
    site: &Site,
    reference: &[u8],
    alts: &[Vec<u8>],
    rs: Option<u64>,
) -> io::Result<()> {
    let count = site.genes.len().max(1) as u64;
    let index = mul_div(site.pos, count, site.length).min(count - 1);
    let symbol = site
        .genes
        .get(index as usize)
        .copied()
        .unwrap_or("LINC00001");
    let gene = 100_000 + site.contig * 1_000 + index * 37;
    let reverse = (site.contig + index) % 2 == 1;
    let exons = 4 + gene % 37;
    let transcripts = 1 + rng.below(3);
    let locus = Locus { symbol, gene, rs };
    let canonical_place = place(rng);
    let mut first = true;
    for t in 0..transcripts {
        let feature = 300_000 + (gene - 100_000) * 4 + t;
        let biotype = match (t, feature % 5) {
            (0, _) | (_, 0 | 1) => "protein_coding",
            (_, 2) => "nonsense_mediated_decay",
            (_, 3) => "retained_intron",
            _ => "processed_transcript",
        };
        let tx = Transcript {
            feature,
            version: 1 + feature % 11,
            biotype,
            place: if t == 0 || rng.below(2) == 0 {
                canonical_place
            } else {
                place(rng)
            },
            coding_roll: rng.below(1000),
            exon: 1 + rng.below(exons - 1),
            exons,
            cds: 1 + rng.below(4_000),
            offset: 40 + rng.below(3_000),
            donor_side: rng.below(2) == 0,
            reverse,
            canonical: t == 0,
        };
        for alt in alts {
            if !first {
                line.push(b',');
            }
            first = false;
            write_entry(line, rng, &locus, &tx, reference, alt, alts)?;
        }
    }
    Ok(())
}

/// The annotated gene and the record's dbSNP ID, shared by all its entries.
struct Locus<'a> {
    symbol: &'a str,
    gene: u64,
    rs: Option<u64>,
}

/// Writes one `CSQ` entry: `alt` on `tx`.
fn write_entry(
    line: &mut Vec<u8>,
    rng: &mut Rng,
    locus: &Locus,
    tx: &Transcript,
    reference: &[u8],
    alt: &[u8],
    alts: &[Vec<u8>],
) -> io::Result<()> {
    let Locus { symbol, gene, rs } = *locus;
    let change = change(reference, alt);
    let non_coding = matches!(tx.biotype, "retained_intron" | "processed_transcript");
    let effect = match (tx.place, non_coding) {
        (Place::Coding | Place::Utr5 | Place::Utr3 | Place::NonCodingExon, true) => {
            Effect::NonCodingExon
        }
        (Place::Intron | Place::SpliceRegion, true) => Effect::NonCodingIntron,
        (Place::Coding, false) => match change {
            Change::Snv(..) => match tx.coding_roll {
                0..470 => Effect::Missense,
                470..910 => Effect::Synonymous,
                910..950 => Effect::StopGained,
                950..970 => Effect::MissenseSplice,
                970..985 => Effect::StartLost,
                _ => Effect::StopLost,
            },
            Change::Deletion(d) if d.len() % 3 == 0 => Effect::InframeDeletion,
            Change::Insertion(i) if i.len() % 3 == 0 => Effect::InframeInsertion,
            _ => Effect::Frameshift,
        },
        (Place::Intron, false) => Effect::Intron,
        (Place::Utr5, false) => Effect::Utr5,
        (Place::Utr3, false) => Effect::Utr3,
        (Place::NonCodingExon, false) => Effect::NonCodingExon,
        (Place::SpliceRegion, false) => Effect::SpliceRegion,
        (Place::SpliceSite, _) if tx.donor_side => Effect::SpliceDonor,
        (Place::SpliceSite, _) => Effect::SpliceAcceptor,
        (Place::Upstream, _) => Effect::Upstream,
        (Place::Downstream, _) => Effect::Downstream,
    };
    // VEP drops the first base when every allele shares it (indels), `-` for nothing left.
    let trimmed = alts.iter().any(|a| a.len() != 1) || reference.len() != 1;
    let allele: &[u8] = if trimmed {
        alt.get(1..).unwrap_or(&[])
    } else {
        alt
    };
    if allele.is_empty() {
        line.push(b'-');
    } else {
        line.extend_from_slice(allele);
    }
    let nmd = if tx.biotype == "nonsense_mediated_decay"
        && !matches!(effect, Effect::Upstream | Effect::Downstream)
    {
        "&NMD_transcript_variant"
    } else {
        ""
    };
    write!(
        line,
        "|{}{nmd}|{}|{symbol}|ENSG{gene:011}|Transcript|ENST{:011}.{}|{}|",
        effect.term(),
        effect.impact(),
        tx.feature,
        tx.version,
        tx.biotype
    )?;
    if effect.exonic() {
        write!(line, "{}/{}", tx.exon, tx.exons)?;
    }
    line.push(b'|');
    if effect.intronic() {
        write!(line, "{}/{}", tx.exon, tx.exons - 1)?;
    }
    line.push(b'|');
    // HGVSc: positions on the transcript, bases on its strand.
    let length = match change {
        Change::Snv(..) => 1,
        Change::Deletion(d) => d.len() as u64,
        Change::Insertion(_) => 2,
    };
    let system = if non_coding || effect == Effect::NonCodingExon {
        'n'
    } else {
        'c'
    };
    let cds = tx.cds;
    let at = |d: u64| -> String {
        match effect {
            Effect::Utr5 => format!("-{}", tx.offset + length - d),
            Effect::Utr3 => format!("*{}", tx.offset + d),
            Effect::Intron | Effect::NonCodingIntron if tx.donor_side => {
                format!("{cds}+{}", tx.offset + d)
            }
            Effect::Intron | Effect::NonCodingIntron => {
                format!("{}-{}", cds + 1, tx.offset + length - d)
            }
            Effect::SpliceRegion => format!("{cds}+{}", 3 + tx.offset % 6 + d),
            Effect::SpliceDonor => format!("{cds}+{}", 1 + d),
            Effect::SpliceAcceptor => format!("{}-{}", cds + 1, length + 1 - d),
            _ => (cds + d).to_string(),
        }
    };
    let strand = |b: u8| if tx.reverse { complement(b) } else { b };
    let stranded = |bases: &[u8]| -> String {
        let mut s: Vec<u8> = bases.iter().map(|&b| strand(b)).collect();
        if tx.reverse {
            s.reverse();
        }
        String::from_utf8_lossy(&s).into_owned()
    };
    if !matches!(effect, Effect::Upstream | Effect::Downstream) {
        write!(line, "ENST{:011}.{}:{system}.", tx.feature, tx.version)?;
        match change {
            Change::Snv(r, a) => {
                write!(line, "{}{}>{}", at(0), strand(r) as char, strand(a) as char)?
            }
            Change::Deletion(d) if d.len() == 1 => write!(line, "{}del", at(0))?,
            Change::Deletion(d) => write!(line, "{}_{}del", at(0), at(d.len() as u64 - 1))?,
            Change::Insertion(i) => write!(line, "{}_{}ins{}", at(0), at(1), stranded(i))?,
        }
    }
    line.push(b'|');
    let protein = cds.div_ceil(3);
    let (from, from3) = rng.amino_acid();
    let (to, to3) = rng.amino_acid();
    if effect.coding() {
        write!(line, "ENSP{:011}.{}:p.", tx.feature + 100_000, tx.version)?;
        match effect {
            Effect::Synonymous => write!(line, "{from3}{protein}%3D")?,
            Effect::StopGained => write!(line, "{from3}{protein}Ter")?,
            Effect::StartLost => write!(line, "Met1?")?,
            Effect::StopLost => write!(line, "Ter{protein}{to3}extTer{}", 1 + rng.below(60))?,
            Effect::Frameshift => write!(line, "{from3}{protein}{to3}fsTer{}", 2 + rng.below(80))?,
            Effect::InframeDeletion => write!(line, "{from3}{protein}del")?,
            Effect::InframeInsertion => {
                write!(line, "{from3}{protein}_{to3}{}insGly", protein + 1)?
            }
            _ => write!(line, "{from3}{protein}{to3}")?,
        }
    }
    line.push(b'|');
    let cdna = cds + 60 + tx.feature % 240;
    if effect.exonic() {
        write!(line, "{cdna}")?;
    }
    line.push(b'|');
    if effect.coding() {
        write!(line, "{cds}|{protein}|")?;
        match (effect, change) {
            (Effect::Synonymous, _) => write!(line, "{from}")?,
            (Effect::StopGained, _) => write!(line, "{from}/*")?,
            (Effect::StopLost, _) => write!(line, "*/{to}")?,
            (Effect::Frameshift, _) => write!(line, "{from}/X")?,
            (Effect::InframeDeletion, _) => write!(line, "{from}{to}/{to}")?,
            (Effect::InframeInsertion, _) => write!(line, "{from}/{from}G")?,
            _ => write!(line, "{from}/{to}")?,
        }
        line.push(b'|');
        // Codons: the changed bases in upper case, as VEP writes them.
        let codon: [u8; 3] = [rng.base(), rng.base(), rng.base()].map(|b| b.to_ascii_lowercase());
        let x = codon[0] as char;
        match change {
            Change::Snv(r, a) => {
                let k = ((cds - 1) % 3) as usize;
                let mut before = codon;
                let mut after = codon;
                before[k] = strand(r);
                after[k] = strand(a);
                line.extend_from_slice(&before);
                line.push(b'/');
                line.extend_from_slice(&after);
            }
            Change::Deletion(d) => write!(line, "{x}{}/{x}", stranded(d))?,
            Change::Insertion(i) => write!(line, "{x}/{x}{}", stranded(i))?,
        }
    } else {
        line.extend_from_slice(b"|||");
    }
    line.push(b'|');
    if let Some(rs) = rs {
        write!(line, "rs{rs}")?;
    }
    line.push(b'|');
    if matches!(effect, Effect::Upstream | Effect::Downstream) {
        write!(line, "{}", tx.offset + rng.below(2_000))?;
    }
    write!(
        line,
        "|{}|{}",
        if tx.reverse { "-1" } else { "1" },
        if tx.canonical { "YES" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_drops_trailing_zeros_like_htslib() {
        let text = |value, scale| {
            let mut v = Vec::new();
            decimal(&mut v, value, scale).unwrap();
            String::from_utf8(v).unwrap()
        };
        assert_eq!(text(73_464, 2), "734.64");
        assert_eq!(text(73_460, 2), "734.6");
        assert_eq!(text(6_000, 2), "60");
        assert_eq!(text(500, 3), "0.5");
        assert_eq!(text(1_000, 3), "1");
        assert_eq!(text(67, 3), "0.067");
    }

    #[test]
    fn rejects_bad_specs() {
        let mut sink = Vec::new();
        for spec in [
            GenomeSpec::new(10, 0),
            GenomeSpec::new(10, 4),
            GenomeSpec::new(MAX_RECORDS + 1, 1),
        ] {
            let e = write_genome_vcf(&mut sink, &spec).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        }
    }
}
