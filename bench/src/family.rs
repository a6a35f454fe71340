//! Families for the inheritance benchmark and demo.
//!
//! [`GENOME_TRIO_PED`] makes the three-sample benchmark genome ([`crate::genome`]: HG002,
//! HG003, HG004, the names of the GIAB trio) a trio: HG002 the affected son of unaffected
//! parents.
//!
//! [`demo_family`] writes the synthetic annotated family of `/?demo=family`
//! (`static/demo/family.vcf` and `family.ped`, made by `enclave-bench family-demo DIR`;
//! `bench/tests/family_demo.rs` keeps the committed files equal to this generator's output).
//! Two families, ten samples, GRCh38:
//! - `quartet`: FA and MO (unaffected), their affected son KID and unaffected daughter SIS —
//!   the de novo, recessive, compound-het, X-linked recessive and X de novo cases;
//! - `dominant`: GMA (affected) and GPA, their affected daughter MUM, her husband DAD, and their
//!   affected son SON and unaffected daughter DAU — dominant and X-linked dominant inheritance
//!   over three generations.
//!
//! Background calls follow Mendel from founder genotypes drawn by allele frequency; on top of
//! them, records with IDs `demo-…` are planted so that every mode has hits, and a few near misses
//! show the reasons (a parent with alternate reads, a low GQ, an unaffected carrier, a Mendel
//! error, a male het on chrX, a PAR). Every value is invented: no person's data.

use std::fmt::Write as _;

use enclave_test_support::rng::SplitMix64;

/// The pedigree of `genome.3s.vcf.gz`.
pub const GENOME_TRIO_PED: &str = "trio\tHG002\tHG003\tHG004\t1\t2\n\
trio\tHG003\t0\t0\t1\t1\n\
trio\tHG004\t0\t0\t2\t1\n";

/// The demo family's pedigree (`static/demo/family.ped`).
pub const DEMO_PED: &str = "# Synthetic demo families for Enclave (no person's data): static/demo/SOURCE.md\n\
#family\tindividual\tfather\tmother\tsex\tphenotype\n\
quartet\tFA\t0\t0\t1\t1\n\
quartet\tMO\t0\t0\t2\t1\n\
quartet\tKID\tFA\tMO\t1\t2\n\
quartet\tSIS\tFA\tMO\t2\t1\n\
dominant\tGPA\t0\t0\t1\t1\n\
dominant\tGMA\t0\t0\t2\t2\n\
dominant\tMUM\tGPA\tGMA\t2\t2\n\
dominant\tDAD\t0\t0\t1\t1\n\
dominant\tSON\tDAD\tMUM\t1\t2\n\
dominant\tDAU\tDAD\tMUM\t2\t1\n";

const SAMPLES: [&str; 10] = [
    "FA", "MO", "KID", "SIS", "GPA", "GMA", "MUM", "DAD", "SON", "DAU",
];
/// Male samples (hemizygous on chrX outside the PARs).
const MALE: [bool; 10] = [
    true, false, true, false, true, false, false, true, true, false,
];
/// (child, father, mother) by sample index.
const TRIOS: [(usize, usize, usize); 5] = [(2, 0, 1), (3, 0, 1), (6, 4, 5), (8, 7, 6), (9, 7, 6)];

/// Genes of the demo, with the chromosome stretch each takes (synthetic positions).
const GENES: [(&str, &str, u64); 10] = [
    ("chr1", "MTHFR", 11_780_000),
    ("chr2", "SCN1A", 165_980_000),
    ("chr4", "FGFR3", 1_790_000),
    ("chr7", "CFTR", 117_480_000),
    ("chr11", "ATM", 108_220_000),
    ("chr13", "BRCA2", 32_310_000),
    ("chr16", "PKD1", 2_090_000),
    ("chr17", "TP53", 7_660_000),
    ("chrX", "DMD", 31_100_000),
    ("chrX", "OTC", 38_220_000),
];

/// chrX PAR1 of GRCh38 ends at 2,781,479: a record inside it.
const PAR_POS: u64 = 1_500_000;

struct Call {
    gt: String,
    alt_reads: u64,
    depth: u64,
    gq: u64,
}

fn call(rng: &mut SplitMix64, alleles: Option<[u8; 2]>, haploid: bool) -> Call {
    let depth = 18 + rng.below(30);
    let Some([a, b]) = alleles else {
        return Call {
            gt: if haploid { ".".into() } else { "./.".into() },
            alt_reads: 0,
            depth: 0,
            gq: 0,
        };
    };
    let copies = u64::from(a) + u64::from(b);
    let gt = if haploid {
        if copies > 0 { "1".into() } else { "0".into() }
    } else {
        format!("{a}/{b}")
    };
    // Allele balance well inside the gates: ~0 / ~0.5 / ~1.
    let alt_reads = match (haploid, copies) {
        (_, 0) => 0,
        (false, 1) => depth / 2 - 2 + rng.below(5),
        _ => depth,
    };
    Call {
        gt,
        alt_reads,
        depth,
        gq: 30 + rng.below(69),
    }
}

fn format_call(c: &Call) -> String {
    if c.gt.starts_with('.') {
        return format!("{}:.:.:.", c.gt);
    }
    format!(
        "{}:{},{}:{}:{}",
        c.gt,
        c.depth - c.alt_reads,
        c.alt_reads,
        c.depth,
        c.gq
    )
}

/// Alleles of one child from its parents' (a random allele of each; a father's only allele on
/// chrX outside the PARs).
fn transmit(
    rng: &mut SplitMix64,
    father: [u8; 2],
    mother: [u8; 2],
    son_on_x: bool,
    daughter_on_x: bool,
) -> [u8; 2] {
    let from_mother = mother[rng.below(2) as usize];
    if son_on_x {
        return [from_mother, from_mother];
    }
    let from_father = if daughter_on_x {
        father[0]
    } else {
        father[rng.below(2) as usize]
    };
    [from_father.min(from_mother), from_father.max(from_mother)]
}

/// A gene's CSQ for a record, VEP-style.
fn csq(gene: &str, index: usize, consequence: &str, impact: &str, hgvs: u64) -> String {
    format!(
        "CSQ=G|{consequence}|{impact}|{gene}|ENSG{:011}|ENST{:011}|c.{hgvs}A>G",
        900_000 + index,
        800_000 + index
    )
}

/// One record line.
fn line(out: &mut String, chrom: &str, pos: u64, id: &str, info: &str, calls: &[Call]) {
    let cells: Vec<String> = calls.iter().map(format_call).collect();
    let _ = writeln!(
        out,
        "{chrom}\t{pos}\t{id}\tA\tG\t{}\tPASS\t{info}\tGT:AD:DP:GQ\t{}",
        500 + pos % 400,
        cells.join("\t")
    );
}

/// A planted record: genotypes by sample (`1` / `0` for haploid), with optional changes of one
/// sample's alternate reads or GQ.
struct Planted {
    id: &'static str,
    gene: usize,
    offset: u64,
    gts: [&'static str; 10],
    alt_reads: Option<(usize, u64)>,
    gq: Option<(usize, u64)>,
    consequence: &'static str,
}

const R: &str = "0/0";
const H: &str = "0/1";
const A: &str = "1/1";

fn planted() -> Vec<Planted> {
    let p = |id, gene, offset, gts, consequence| Planted {
        id,
        gene,
        offset,
        gts,
        alt_reads: None,
        gq: None,
        consequence,
    };
    vec![
        // quartet: FA MO KID SIS | dominant: GPA GMA MUM DAD SON DAU
        p(
            "demo-de-novo",
            7,
            500,
            [R, R, H, R, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-de-novo-2",
            1,
            700,
            [R, R, H, R, R, R, R, R, R, R],
            "stop_gained",
        ),
        Planted {
            alt_reads: Some((1, 6)),
            ..p(
                "demo-de-novo-mother-reads",
                3,
                900,
                [R, R, H, R, R, R, R, R, R, R],
                "missense_variant",
            )
        },
        Planted {
            gq: Some((2, 5)),
            ..p(
                "demo-de-novo-low-gq",
                4,
                1100,
                [R, R, H, R, R, R, R, R, R, R],
                "missense_variant",
            )
        },
        p(
            "demo-recessive",
            0,
            1300,
            [H, H, A, H, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-recessive-2",
            6,
            1500,
            [H, H, A, R, R, R, R, R, R, R],
            "frameshift_variant",
        ),
        p(
            "demo-recessive-sister-hom",
            5,
            1700,
            [H, H, A, A, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-mendel-loh",
            2,
            1900,
            [R, H, A, R, R, R, R, R, R, R],
            "synonymous_variant",
        ),
        // A compound het in CFTR: one copy from each parent.
        p(
            "demo-comp-het-father",
            3,
            2100,
            [H, R, H, R, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-comp-het-mother",
            3,
            2300,
            [R, H, H, H, R, R, R, R, R, R],
            "splice_region_variant",
        ),
        // Two het sites in ATM both from the father: not a compound het.
        p(
            "demo-same-parent-1",
            4,
            2500,
            [H, R, H, R, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-same-parent-2",
            4,
            2700,
            [H, R, H, R, R, R, R, R, R, R],
            "missense_variant",
        ),
        // dominant over three generations.
        p(
            "demo-dominant",
            5,
            2900,
            [R, R, R, R, R, H, H, R, H, R],
            "missense_variant",
        ),
        p(
            "demo-dominant-2",
            7,
            3100,
            [R, R, R, R, R, H, H, R, H, R],
            "inframe_deletion",
        ),
        p(
            "demo-dominant-unaffected-carrier",
            6,
            3300,
            [R, R, R, R, R, H, H, R, H, H],
            "missense_variant",
        ),
        // chrX (DMD, OTC): males hemizygous, written `1` or `1/1`.
        p(
            "demo-x-recessive",
            8,
            500,
            [R, H, "1", R, R, R, R, R, R, R],
            "stop_gained",
        ),
        p(
            "demo-x-recessive-2",
            9,
            700,
            ["0", H, A, H, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-x-recessive-male-het",
            8,
            900,
            ["0", H, H, R, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-x-de-novo",
            9,
            1100,
            ["0", R, "1", R, R, R, R, R, R, R],
            "missense_variant",
        ),
        p(
            "demo-x-dominant",
            8,
            1300,
            ["0", R, R, R, "0", H, H, "0", "1", R],
            "missense_variant",
        ),
        p(
            "demo-x-dominant-2",
            9,
            1500,
            [R, R, R, R, R, H, H, R, A, R],
            "frameshift_variant",
        ),
    ]
}

/// The demo VCF text and PED text.
pub fn demo_family() -> (String, String) {
    let mut rng = SplitMix64(0x00de_3f4a_3141);
    let mut out = String::new();
    out.push_str("##fileformat=VCFv4.2\n");
    out.push_str("##source=enclave-bench family-demo (synthetic: every value invented)\n");
    out.push_str("##reference=GRCh38\n");
    for (c, len) in crate::genome::GRCH38 {
        let _ = writeln!(out, "##contig=<ID={c},length={len}>");
    }
    out.push_str("##FILTER=<ID=PASS,Description=\"All filters passed\">\n");
    out.push_str("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|HGVSc\">\n");
    out.push_str("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
    out.push_str("##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n");
    out.push_str("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n");
    out.push_str("##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n");
    let _ = writeln!(
        out,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{}",
        SAMPLES.join("\t")
    );
    let mut records: Vec<(usize, u64, String)> = Vec::new();
    let chrom_order = |c: &str| {
        crate::genome::GRCH38
            .iter()
            .position(|(n, _)| *n == c)
            .unwrap_or(0)
    };
    // Background: 30 calls per gene, Mendelian from founders, a few missing; none in ATM, whose
    // two planted sites show a pair that is not a compound het.
    for (g, &(chrom, gene, start)) in GENES.iter().enumerate() {
        if gene == "ATM" {
            continue;
        }
        let x = chrom == "chrX";
        for k in 0..30u64 {
            let pos = start + 40 + k * 53;
            let af = 5 + rng.below(60);
            let founder = |rng: &mut SplitMix64, male: bool| -> [u8; 2] {
                let a = u8::from(rng.below(100) < af);
                let b = if x && male {
                    a
                } else {
                    u8::from(rng.below(100) < af)
                };
                [a.min(b), a.max(b)]
            };
            let mut al: [[u8; 2]; 10] = [[0, 0]; 10];
            for f in [0usize, 1, 4, 5, 7] {
                al[f] = founder(&mut rng, MALE[f]);
            }
            for &(c, f, m) in &TRIOS {
                al[c] = transmit(&mut rng, al[f], al[m], x && MALE[c], x && !MALE[c]);
            }
            let calls: Vec<Call> = (0..10)
                .map(|s| {
                    let missing = rng.chance(2);
                    // Callers write a male's chrX either way.
                    let haploid = x && MALE[s] && rng.chance(50);
                    call(&mut rng, (!missing).then_some(al[s]), haploid)
                })
                .collect();
            let consequence = *rng.pick(&[
                "intron_variant",
                "synonymous_variant",
                "missense_variant",
                "3_prime_UTR_variant",
            ]);
            let impact = match consequence {
                "missense_variant" => "MODERATE",
                "synonymous_variant" => "LOW",
                _ => "MODIFIER",
            };
            let mut text = String::new();
            let id = format!("bg-{gene}-{k}");
            line(
                &mut text,
                chrom,
                pos,
                &id,
                &csq(gene, g, consequence, impact, pos - start),
                &calls,
            );
            records.push((chrom_order(chrom), pos, text));
        }
    }
    for p in planted() {
        let (chrom, gene, start) = GENES[p.gene];
        let pos = start + p.offset;
        let calls: Vec<Call> = p
            .gts
            .iter()
            .enumerate()
            .map(|(s, gt)| {
                let haploid = gt.len() == 1;
                let alleles = match *gt {
                    "0" | "0/0" => [0, 0],
                    "0/1" => [0, 1],
                    _ => [1, 1],
                };
                let mut c = call(&mut rng, Some(alleles), haploid);
                if let Some((who, reads)) = p.alt_reads
                    && who == s
                {
                    c.alt_reads = reads;
                    c.depth = c.depth.max(reads * 6);
                }
                if let Some((who, gq)) = p.gq
                    && who == s
                {
                    c.gq = gq;
                }
                c
            })
            .collect();
        let impact = match p.consequence {
            "stop_gained" | "frameshift_variant" => "HIGH",
            "synonymous_variant" => "LOW",
            _ => "MODERATE",
        };
        let mut text = String::new();
        line(
            &mut text,
            chrom,
            pos,
            p.id,
            &csq(gene, p.gene, p.consequence, impact, p.offset),
            &calls,
        );
        records.push((chrom_order(chrom), pos, text));
    }
    // A record in chrX's PAR1: the X-linked modes do not read it.
    let calls: Vec<Call> = [
        "0/0", "0/1", "0/1", "0/0", "0/0", "0/0", "0/0", "0/0", "0/0", "0/0",
    ]
    .iter()
    .map(|gt| {
        call(
            &mut rng,
            Some(if *gt == "0/1" { [0, 1] } else { [0, 0] }),
            false,
        )
    })
    .collect();
    let mut text = String::new();
    line(
        &mut text,
        "chrX",
        PAR_POS,
        "demo-x-par",
        &csq("SHOX", 10, "intron_variant", "MODIFIER", 12),
        &calls,
    );
    records.push((chrom_order("chrX"), PAR_POS, text));
    records.sort_by_key(|(c, p, _)| (*c, *p));
    for (_, _, text) in records {
        out.push_str(&text);
    }
    (out, DEMO_PED.to_string())
}
