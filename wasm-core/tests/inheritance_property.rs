//! The columnar evaluation of every mode equals the row-by-row one (STYLE.md, "Property
//! tests"): random families (several generations, several families, members not sequenced,
//! unknown sexes and phenotypes) over random calls (missing and half-missing genotypes, haploid
//! chrX calls, multi-allelic sites, PAR and non-PAR chrX, chrY, chrM), random FORMAT values
//! around the gates' thresholds, genes shared by neighbouring records, gates on or off, strict
//! or lenient. For each record and family, the best verdict over its alleles that
//! [`Analysis::explain`] gives must be what [`Analysis::evaluate`]'s bitmaps say.
//!
//! The same random cases split into 2, 3 and 4 parts (every record for some, seeded random
//! records for all), each part a store of its own with the merged
//! [`wasm_core::inheritance::PartEvidence`] of every part, give per mode and family the whole
//! store's bits and its `comp-het` explanations, partners in other parts named by position.

#[path = "inheritance_parts/split.rs"]
mod split;

use enclave_test_support::engine::read_from;
use enclave_test_support::rng::SplitMix64;
use wasm_core::inheritance::{Analysis, Build, Gates, Mode, Options, Verdict};
use wasm_core::pedigree::Pedigree;

struct Person {
    id: String,
    father: Option<usize>,
    mother: Option<usize>,
    sex: u8,
    phenotype: &'static str,
    sequenced: bool,
}

/// A random family: founders, their children, sometimes grandchildren and a married-in spouse.
fn family(rng: &mut SplitMix64, f: usize, out: &mut Vec<(usize, Person)>) {
    let base = out.len();
    let pheno = |rng: &mut SplitMix64| *rng.pick(&["1", "2", "2", "0", "1"]);
    let add = |rng: &mut SplitMix64, father, mother, sex: u8, out: &mut Vec<(usize, Person)>| {
        let k = out.len() - base;
        out.push((
            f,
            Person {
                id: format!("F{f}P{k}"),
                father,
                mother,
                sex,
                phenotype: pheno(rng),
                sequenced: !rng.chance(10),
            },
        ));
        out.len() - 1
    };
    let dad = add(rng, None, None, 1, out);
    let mom = add(rng, None, None, 2, out);
    let kids = 1 + rng.below(3);
    let mut children = Vec::new();
    for _ in 0..kids {
        let sex = *rng.pick(&[1u8, 2, 1, 2, 0]);
        children.push(add(rng, Some(dad), Some(mom), sex, out));
    }
    if rng.chance(40) {
        // A third generation: a child of the first child and a married-in spouse.
        let parent = children[0];
        let psex = out[parent].1.sex;
        let spouse = add(rng, None, None, if psex == 1 { 2 } else { 1 }, out);
        let (fa, mo) = if psex == 1 {
            (parent, spouse)
        } else {
            (spouse, parent)
        };
        if out[fa].1.sex != 2 && out[mo].1.sex != 1 {
            let sex = *rng.pick(&[1u8, 2]);
            add(rng, Some(fa), Some(mo), sex, out);
        }
    }
    if rng.chance(15) {
        // A parent named only as a parent (not on a line of its own): a half-sibling.
        let sex = *rng.pick(&[1u8, 2]);
        let k = out.len() - base;
        out.push((
            f,
            Person {
                id: format!("F{f}P{k}"),
                father: None,
                mother: Some(mom),
                sex,
                phenotype: pheno(rng),
                sequenced: true,
            },
        ));
    }
}

fn genotype(rng: &mut SplitMix64, n_alts: u64, haploid: bool) -> String {
    let allele = |rng: &mut SplitMix64| -> String {
        if rng.chance(6) {
            ".".into()
        } else if rng.chance(55) {
            "0".into()
        } else {
            (1 + rng.below(n_alts)).to_string()
        }
    };
    if rng.chance(4) {
        return if haploid { ".".into() } else { "./.".into() };
    }
    if haploid {
        return allele(rng);
    }
    let sep = if rng.chance(10) { "|" } else { "/" };
    format!("{}{sep}{}", allele(rng), allele(rng))
}

fn random_case(seed: u64) -> (String, String, Options) {
    let mut rng = SplitMix64(seed);
    let mut people: Vec<(usize, Person)> = Vec::new();
    let families = 1 + rng.below(3) as usize;
    for f in 0..families {
        family(&mut rng, f, &mut people);
    }
    // A sample no PED line names.
    let mut samples: Vec<usize> = (0..people.len())
        .filter(|&k| people[k].1.sequenced)
        .collect();
    rng.shuffle(&mut samples);
    let mut ped = String::new();
    for (f, p) in &people {
        // Every other implied parent is left without its own line.
        if p.id.ends_with("P1") && rng.chance(10) {
            continue;
        }
        let parent = |x: Option<usize>| x.map_or("0".to_string(), |k| people[k].1.id.clone());
        ped.push_str(&format!(
            "fam{f}\t{}\t{}\t{}\t{}\t{}\n",
            p.id,
            parent(p.father),
            parent(p.mother),
            p.sex,
            p.phenotype
        ));
    }
    let mut names: Vec<String> = samples.iter().map(|&k| people[k].1.id.clone()).collect();
    names.push("STRANGER".into());
    let males: Vec<bool> = samples
        .iter()
        .map(|&k| people[k].1.sex == 1)
        .chain([false])
        .collect();
    let gates_on = rng.chance(60);
    let declare_gq = rng.chance(85);
    let mut vcf = String::from("##fileformat=VCFv4.2\n##reference=GRCh38\n");
    vcf.push_str("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene\">\n");
    vcf.push_str("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
    if declare_gq {
        vcf.push_str("##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"GQ\">\n");
    }
    vcf.push_str("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"DP\">\n");
    vcf.push_str("##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"AD\">\n");
    vcf.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t");
    vcf.push_str(&names.join("\t"));
    vcf.push('\n');
    let records = 40 + rng.below(120);
    let mut pos = 1000;
    for r in 0..records {
        let (chrom, p) = match rng.below(20) {
            0..=11 => ("chr1", {
                pos += 1 + rng.below(50);
                pos
            }),
            12..=15 => ("chrX", 2_781_480 + r * 7),
            16 => ("chrX", 10_001 + r),
            17 => ("chrY", 3_000_000 + r),
            18 => ("chrM", 100 + r),
            _ => ("chr2", 5000 + r),
        };
        let n_alts = if rng.chance(15) { 2 + rng.below(2) } else { 1 };
        let alts: Vec<&str> = ["C", "G", "T"][..n_alts as usize].to_vec();
        let gene = if rng.chance(85) {
            let g = rng.below(4);
            if rng.chance(20) {
                // No symbol: the Ensembl id is the gene.
                format!("A|missense_variant|MODERATE||ENSG{g}")
            } else {
                format!("A|missense_variant|MODERATE|GENE{g}|ENSG{g}")
            }
        } else {
            String::new()
        };
        let info = if gene.is_empty() {
            ".".into()
        } else {
            format!("CSQ={gene}")
        };
        let fmt = if declare_gq {
            "GT:GQ:DP:AD"
        } else {
            "GT:DP:AD"
        };
        vcf.push_str(&format!(
            "{chrom}\t{p}\t.\tA\t{}\t50\tPASS\t{info}\t{fmt}",
            alts.join(",")
        ));
        for &male in &males {
            let haploid = male && chrom == "chrX" && rng.chance(50);
            let haploid = haploid || (chrom == "chrY" && rng.chance(50));
            let gt = genotype(&mut rng, n_alts, haploid);
            let num = |rng: &mut SplitMix64, lo: u64, hi: u64| {
                if rng.chance(5) {
                    ".".to_string()
                } else {
                    (lo + rng.below(hi - lo)).to_string()
                }
            };
            let gq = num(&mut rng, 0, 60);
            let dp = num(&mut rng, 3, 40);
            let ad: Vec<String> = (0..=n_alts).map(|_| num(&mut rng, 0, 12)).collect();
            let ad = if rng.chance(5) {
                ".".to_string()
            } else {
                ad.join(",")
            };
            if declare_gq {
                vcf.push_str(&format!("\t{gt}:{gq}:{dp}:{ad}"));
            } else {
                vcf.push_str(&format!("\t{gt}:{dp}:{ad}"));
            }
        }
        vcf.push('\n');
    }
    let gates = if gates_on {
        Gates {
            parent_max_alt_reads: Some(rng.below(3) as i64),
            ..Gates::default()
        }
    } else {
        Gates::off()
    };
    let options = Options {
        gates,
        lenient: rng.chance(50),
        build: Some(Build::GRCh38),
    };
    (vcf, ped, options)
}

#[test]
fn columnar_modes_equal_the_row_by_row_evaluator() {
    let mut checked = [0u64; 8];
    let mut kept = [0u64; 8];
    for seed in 0..120u64 {
        let (vcf, ped, options) = random_case(seed);
        let ds = read_from(&format!("seed {seed}"), vcf.as_bytes(), None).expect("the VCF reads");
        let pedigree =
            Pedigree::parse(ped.as_bytes()).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{ped}"));
        let a = Analysis::new(&ds.store, &pedigree, options.clone()).expect("the analysis starts");
        for (k, mode) in Mode::ALL.into_iter().enumerate() {
            let result = a.evaluate(&ds.store, mode);
            for i in 0..ds.store.len() {
                let explained = a.explain(&ds.store, i, mode);
                for (f, family) in result.families.iter().enumerate() {
                    let id = &a.matched().pedigree.families()[f].id;
                    let best = explained
                        .iter()
                        .filter(|e| &e.family == id)
                        .map(|e| e.verdict)
                        .min()
                        .unwrap_or(Verdict::No);
                    let columnar = if family.fits.get(i) {
                        Verdict::Fits
                    } else if family.possible.get(i) {
                        Verdict::Possible
                    } else {
                        Verdict::No
                    };
                    assert_eq!(
                        columnar,
                        best,
                        "seed {seed}, {}, record {i} ({}:{}), family {id}, {options:?}\n{explained:#?}\n{ped}",
                        mode.name(),
                        ds.store.chrom(i),
                        ds.store.pos(i)
                    );
                    checked[k] += 1;
                    kept[k] += u64::from(best != Verdict::No);
                }
            }
        }
    }
    // The random cases reach every mode's hits, not only its misses.
    for (k, mode) in Mode::ALL.into_iter().enumerate() {
        assert!(
            kept[k] > 0,
            "{}: no record fits in {} checks",
            mode.name(),
            checked[k]
        );
    }
}

#[test]
fn parts_of_random_families_equal_the_whole() {
    let mut covered = split::Covered::default();
    for seed in 0..120u64 {
        let (vcf, ped, options) = random_case(seed);
        let n = vcf.lines().filter(|l| !l.starts_with('#')).count();
        let name = format!("seed {seed}");
        let explain = |i: usize, kept: bool| kept || i.is_multiple_of(5);
        if seed < 6 {
            for cut in 1..n {
                covered += split::check(&name, &vcf, &ped, &options, &[cut], explain);
            }
        }
        let mut rng = SplitMix64(seed ^ 0x9e37_79b9);
        for parts in 2..=4usize {
            let mut bounds: Vec<usize> = Vec::new();
            while bounds.len() < parts - 1 {
                let b = 1 + rng.below(n as u64 - 1) as usize;
                if !bounds.contains(&b) {
                    bounds.push(b);
                }
            }
            bounds.sort_unstable();
            covered += split::check(&name, &vcf, &ped, &options, &bounds, explain);
        }
    }
    // The random genes are scattered, so pairs across parts are common.
    assert!(covered.cross_partners > 0, "{covered:?}");
}
