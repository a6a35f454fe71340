//! A synthetic family (labelled so in its header), simulated from one seed: three generations,
//! an unrelated sample and one sample sequenced twice, with chrX inheritance, haploid and
//! diploid male calls, chrY in males, read depths and allelic depths, missing genotypes and a
//! few genotype errors. Written to `testdata/generated/pedigree-check/synthetic-family.vcf`
//! (`ENCLAVE_BLESS=1`), where peddy reads it too (`scripts/regen-peddy.sh`).
//!
//! Truth: GF × GM → DAD, AUNT; DAD × MOM → KID1 (female), KID2 (male); UNREL is unrelated;
//! MOM_AGAIN is MOM's genotypes read a second time (independent depths, missing calls and
//! errors). Sexes: GF, DAD, KID2, UNREL male; GM, MOM, KID1, AUNT, MOM_AGAIN female. The PEDs
//! are `testdata/expected/peddy/synthetic-family{,-wrong-ped}/input.ped` (peddy reads them too).

use enclave_test_support::rng::SplitMix64;

pub const SAMPLES: [&str; 9] = [
    "GF",
    "GM",
    "DAD",
    "MOM",
    "KID1",
    "KID2",
    "AUNT",
    "UNREL",
    "MOM_AGAIN",
];

const MALE: [bool; 9] = [true, false, true, false, false, true, false, true, false];

/// Founders' allele draws; others inherit. Indices into [`SAMPLES`].
const GF: usize = 0;
const GM: usize = 1;
const DAD: usize = 2;
const MOM: usize = 3;
const KID1: usize = 4;
const KID2: usize = 5;
const AUNT: usize = 6;
const UNREL: usize = 7;
const MOM_AGAIN: usize = 8;

/// GRCh37 lengths (the build is read from `##reference` and the contig lengths).
const CONTIGS: [(&str, u64); 7] = [
    ("1", 249_250_621),
    ("2", 243_199_373),
    ("3", 198_022_430),
    ("4", 191_154_276),
    ("X", 155_270_560),
    ("Y", 59_373_566),
    ("MT", 16_569),
];

/// True alleles of everyone at one site (two per sample; males' chrX/chrY second allele
/// unused).
fn family_alleles(rng: &mut SplitMix64, freq_percent: u64, contig: &str) -> [[u8; 2]; 9] {
    let draw = |rng: &mut SplitMix64| u8::from(rng.below(1000) < freq_percent * 10);
    let mut a = [[0u8; 2]; 9];
    let pick = |rng: &mut SplitMix64, p: [u8; 2]| p[rng.below(2) as usize];
    match contig {
        "Y" => {
            // Father to son: GF → DAD → KID2; UNREL his own.
            let gf = draw(rng);
            let unrel = draw(rng);
            for (i, v) in [(GF, gf), (DAD, gf), (KID2, gf), (UNREL, unrel)] {
                a[i] = [v, v];
            }
        }
        "X" => {
            // Founders: males one X, females two.
            a[GF] = [draw(rng), 0];
            a[GM] = [draw(rng), draw(rng)];
            a[MOM] = [draw(rng), draw(rng)];
            a[UNREL] = [draw(rng), 0];
            let gm = a[GM];
            a[DAD] = [pick(rng, gm), 0];
            a[AUNT] = [a[GF][0], pick(rng, gm)];
            let mom = a[MOM];
            a[KID1] = [a[DAD][0], pick(rng, mom)];
            a[KID2] = [pick(rng, mom), 0];
        }
        _ => {
            for f in [GF, GM, MOM, UNREL] {
                a[f] = [draw(rng), draw(rng)];
            }
            let (gf, gm) = (a[GF], a[GM]);
            a[DAD] = [pick(rng, gf), pick(rng, gm)];
            a[AUNT] = [pick(rng, gf), pick(rng, gm)];
            let (dad, mom) = (a[DAD], a[MOM]);
            a[KID1] = [pick(rng, dad), pick(rng, mom)];
            a[KID2] = [pick(rng, dad), pick(rng, mom)];
        }
    }
    a[MOM_AGAIN] = a[MOM];
    a
}

/// One sample's `GT:DP:AD` cell. `haploid`: a male on chrX / chrY, written `0`/`1` or, when
/// `diploid_style`, `0/0`/`1/1` (callers write either, CLINICAL.md §2).
fn cell(rng: &mut SplitMix64, alleles: [u8; 2], haploid: bool, diploid_style: bool) -> String {
    // 3 % missing.
    if rng.chance(3) {
        return if haploid && !diploid_style {
            ".:.:.".into()
        } else {
            "./.:.:.".into()
        };
    }
    let mut alt_copies = if haploid {
        2 * alleles[0]
    } else {
        alleles[0] + alleles[1]
    };
    // 0.3 % genotype errors: a random other class (a male's het on chrX included).
    if rng.below(1000) < 3 {
        alt_copies = (alt_copies + 1 + rng.below(2) as u8) % 3;
    }
    // Depth 8–45, and 10 % of genotypes shallow (3–6 reads: the sex check's depth filter).
    let depth = if rng.chance(10) {
        3 + rng.below(4)
    } else {
        8 + rng.below(38)
    };
    let alt_reads = match alt_copies {
        0 => u64::from(rng.chance(5)),
        2 => depth - u64::from(rng.chance(5)),
        // Each read from either allele: sometimes outside 0.2–0.8 at low depth.
        _ => (0..depth).filter(|_| rng.chance(50)).count() as u64,
    };
    let gt = match (alt_copies, haploid && !diploid_style && alt_copies != 1) {
        (0, true) => "0",
        (2, true) => "1",
        (0, false) => "0/0",
        (1, _) => "0/1",
        _ => "1/1",
    };
    format!("{gt}:{depth}:{},{alt_reads}", depth - alt_reads)
}

/// The synthetic family VCF.
pub fn vcf() -> String {
    let mut rng = SplitMix64(14);
    let mut out = String::from(
        "##fileformat=VCFv4.2\n\
         ##source=Enclave synthetic family (wasm-core/tests/pedigree_check/synthetic.rs, seed 14): simulated, not real data\n\
         ##reference=GRCh37\n",
    );
    for (name, len) in CONTIGS {
        out.push_str(&format!("##contig=<ID={name},length={len}>\n"));
    }
    out.push_str(
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n\
         ##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    );
    for s in SAMPLES {
        out.push('\t');
        out.push_str(s);
    }
    out.push('\n');
    let bases = [b'A', b'C', b'G', b'T'];
    // (contig, first position, sites, mean gap)
    let plan: [(&str, u64, u64, u64); 9] = [
        ("1", 10_000, 900, 200_000),
        ("2", 10_000, 900, 200_000),
        ("3", 10_000, 900, 200_000),
        ("4", 10_000, 900, 200_000),
        // chrX: GRCh37 PAR1 (60,001-2,699,520), then X:2,699,521-2,781,479 (haploid in
        // GRCh37, left out by peddy), then the rest up to PAR2.
        ("X", 60_001, 60, 40_000),
        ("X", 2_700_000, 20, 4_000),
        ("X", 2_800_000, 1100, 130_000),
        ("Y", 2_700_000, 80, 300_000),
        ("MT", 100, 10, 1_000),
    ];
    for (contig, start, sites, gap) in plan {
        let mut pos = start;
        for _ in 0..sites {
            pos += 1 + rng.below(gap);
            let in_x_par = contig == "X" && pos <= 2_699_520;
            let r = *rng.pick(&bases);
            let a = *rng.pick(
                &bases
                    .iter()
                    .copied()
                    .filter(|&b| b != r)
                    .collect::<Vec<u8>>(),
            );
            // 5 % insertions and 2 % multiallelic sites, which the check leaves out.
            let kind = rng.below(100);
            let alt = match kind {
                0..5 => format!("{}{}", r as char, a as char),
                5..7 => {
                    let b = bases.iter().find(|&&b| b != r && b != a).copied().unwrap();
                    format!("{},{}", a as char, b as char)
                }
                _ => (a as char).to_string(),
            };
            let freq = 2 + rng.below(58);
            let alleles = family_alleles(&mut rng, freq, if in_x_par { "1" } else { contig });
            let diploid_style = rng.chance(50);
            out.push_str(&format!(
                "{contig}\t{pos}\t.\t{}\t{alt}\t50\tPASS\t.\tGT:DP:AD",
                r as char
            ));
            for (s, al) in alleles.iter().enumerate() {
                let haploid = MALE[s] && matches!(contig, "X" | "Y") && !in_x_par;
                let text = if contig == "Y" && !MALE[s] {
                    ".:.:.".to_string()
                } else {
                    cell(&mut rng, *al, haploid, diploid_style)
                };
                // A multiallelic site's second ALT has no reads here: AD gets a third 0.
                let text = if (5..7).contains(&kind) && !text.ends_with(":.") {
                    format!("{text},0")
                } else {
                    text
                };
                out.push('\t');
                out.push_str(&text);
            }
            out.push('\n');
        }
    }
    out
}
