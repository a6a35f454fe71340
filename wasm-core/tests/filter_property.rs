//! Property test: the compiled filter over columns (kernels + bitmap algebra, `evaluate`) equals
//! a straightforward row-by-row evaluation (`evaluate_record`, the interpreter) on random
//! expressions over random records — including missing values, absent fields, vectors,
//! several samples, `&`/`&&`/`|`/`||` side by side (grouping to the right as in bcftools),
//! nesting depth 3, bare flags and values (conditions that never hold), sample subscripts
//! (`GT[0]`, `FMT/GQ[1]`, `AD[*:1]`, `[*]`), per-sample and site-level tests mixed, `!` and `-e`.

use enclave_test_support::rng::SplitMix64 as Rng;
use wasm_core::filter::{Filter, Mode, NoFiles};
use wasm_core::store::{FLOAT_MISSING, INT_MISSING, ValueType, VariantStore};

fn random_store(rng: &mut Rng) -> VariantStore {
    let n_samples = rng.below(4) as usize;
    let mut s = VariantStore::new((0..n_samples).map(|k| format!("S{k}")).collect());
    s.info.declare("DP", "1", ValueType::Integer, "depth");
    s.info.declare("AF", "A", ValueType::Float, "freq");
    s.info.declare("DB", "0", ValueType::Flag, "flag");
    s.info.declare("GENE", "1", ValueType::String, "gene");
    s.format.declare("GT", "1", ValueType::String, "gt");
    s.format.declare("GQ", "1", ValueType::Integer, "gq");
    s.format.declare("AD", "R", ValueType::Integer, "ad");
    s.format.declare("VAF", "A", ValueType::Float, "vaf");
    let contigs = [s.contig_id("chr1"), s.contig_id("chr2")];
    let filters = [
        s.filter_id("PASS").unwrap(),
        s.filter_id("LowQual").unwrap(),
        s.filter_id("q10").unwrap(),
    ];
    // Mostly small stores; some past the 1,024 rows at which columns first pick their layout,
    // so the fixed one-value layouts (and the kernels' slice scans over them) are exercised.
    let n = if rng.chance(25) {
        1 + rng.below(3000) as usize
    } else {
        1 + rng.below(300) as usize
    };
    // How wide INFO/DP's values are: 8, 16 or 32 bits, with values at the types' edges.
    let dp_edges: &[i32] = match rng.below(3) {
        0 => &[-127, -126, 0, 1, 126, 127],
        1 => &[-32767, -32766, -129, -128, 127, 128, 32766, 32767],
        _ => &[i32::MIN + 2, -32769, 32768, i32::MAX - 1, i32::MAX],
    };
    let alleles: [&[u8]; 6] = [b"A", b"C", b"G", b"AT", b"*", b"<DEL>"];
    for k in 0..n {
        let n_alt = rng.below(3) as usize;
        let mut alts = Vec::new();
        for a in 0..n_alt {
            if a > 0 {
                alts.push(b',');
            }
            alts.extend_from_slice(rng.pick::<&[u8]>(&alleles[1..]));
        }
        let qual = if rng.chance(15) {
            FLOAT_MISSING
        } else if rng.chance(5) {
            f32::NAN.to_bits()
        } else {
            (rng.below(200) as f32 / 2.0).to_bits()
        };
        let f: Vec<u16> = match rng.below(4) {
            0 => vec![],
            1 => vec![filters[0]],
            2 => vec![filters[1]],
            _ => vec![filters[1], filters[2]],
        };
        s.begin_record(
            *rng.pick(&contigs),
            100 + k as u64,
            b"",
            rng.pick::<&[u8]>(&alleles[..4]),
            &alts,
            qual,
            &f,
        )
        .unwrap();
        if rng.chance(80) {
            let v = if rng.chance(10) {
                INT_MISSING
            } else if rng.chance(5) {
                *rng.pick(dp_edges)
            } else {
                rng.below(60) as i32
            };
            // Now and then a second value: a row of another length, kept aside.
            let row = [v, 7];
            let len = if rng.chance(3) { 2 } else { 1 };
            s.set_info_integers(s.info.index_of("DP").unwrap(), &row[..len])
                .unwrap();
        }
        if n_alt > 0 && rng.chance(70) {
            let v: Vec<u32> = (0..n_alt)
                .map(|_| {
                    if rng.chance(10) {
                        FLOAT_MISSING
                    } else {
                        (rng.below(100) as f32 / 100.0).to_bits()
                    }
                })
                .collect();
            s.set_info_floats(s.info.index_of("AF").unwrap(), &v)
                .unwrap();
        }
        if rng.chance(30) {
            s.set_info_flag(s.info.index_of("DB").unwrap()).unwrap();
        }
        if rng.chance(50) {
            let g = *rng.pick(&[&b"BRCA1"[..], b"TP53", b"brca1"]);
            s.set_info_text(s.info.index_of("GENE").unwrap(), g)
                .unwrap();
        }
        for smp in 0..n_samples {
            if rng.chance(90) {
                let a = |rng: &mut Rng| {
                    if rng.chance(10) {
                        None
                    } else {
                        Some(rng.below(n_alt as u64 + 1) as u32)
                    }
                };
                let gt = if rng.chance(10) {
                    vec![a(rng)]
                } else {
                    vec![a(rng), a(rng)]
                };
                let phased = rng.chance(20);
                s.set_genotype(smp, &gt, phased, String::new);
            }
            if rng.chance(80) {
                let v = if rng.chance(10) {
                    INT_MISSING
                } else {
                    rng.below(99) as i32
                };
                s.set_format_integers(s.format.index_of("GQ").unwrap(), smp, &[v])
                    .unwrap();
            }
            if rng.chance(70) {
                let v: Vec<i32> = (0..=n_alt)
                    .map(|_| {
                        if rng.chance(10) {
                            INT_MISSING
                        } else {
                            rng.below(30) as i32
                        }
                    })
                    .collect();
                s.set_format_integers(s.format.index_of("AD").unwrap(), smp, &v)
                    .unwrap();
            }
            if n_alt > 0 && rng.chance(60) {
                let v: Vec<u32> = (0..n_alt)
                    .map(|_| (rng.below(100) as f32 / 100.0).to_bits())
                    .collect();
                s.set_format_floats(s.format.index_of("VAF").unwrap(), smp, &v)
                    .unwrap();
            }
        }
        s.end_record();
    }
    // As at the end of a load: columns settle on their cheapest layout.
    if rng.chance(50) {
        s.shrink_to_fit();
    }
    s
}

fn comparison(rng: &mut Rng, n_samples: usize) -> String {
    let op = *rng.pick(&["=", "==", "!=", "<", "<=", ">", ">="]);
    let sample = if n_samples > 0 {
        rng.below(n_samples as u64)
    } else {
        0
    };
    match rng.below(21) {
        0 if rng.chance(30) => format!("QUAL{op}{}.5", rng.below(100)),
        0 => format!("QUAL{op}{}", rng.below(100)),
        1 if rng.chance(30) => format!(
            "INFO/DP{op}{}",
            rng.pick(&[
                "-129",
                "-128",
                "-127",
                "-126",
                "126",
                "127",
                "127.5",
                "128",
                "-0.5",
                "10.5",
                "32767",
                "32768",
                "-32768",
                "-32767",
                "2147483647",
                "-2147483647",
                "-2147483648",
                "1e12",
                "-1e12"
            ])
        ),
        1 => format!("INFO/DP{op}{}", rng.below(60)),
        2 => format!("AF{op}0.{}", rng.below(100)),
        3 => format!("AF[{}]{op}0.5", rng.below(2)),
        4 => format!("DB={}", rng.below(2)),
        5 => format!("GQ{op}{}", rng.below(99)),
        6 if n_samples > 0 => format!("FMT/GQ[{sample}]{op}{}", rng.below(99)),
        7 => format!("AD[*:{}]{op}{}", rng.below(2), rng.below(30)),
        8 => format!(
            "GT{}\"{}\"",
            rng.pick(&["=", "!="]),
            rng.pick(&[
                "het", "hom", "ref", "alt", "mis", "hap", "RA", "AA", "0/1", "1|0"
            ])
        ),
        9 => format!(
            "FILTER{}\"{}\"",
            rng.pick(&["=", "!=", "~", "!~"]),
            rng.pick(&["PASS", "LowQual", "LowQual;q10", "."])
        ),
        10 => format!(
            "TYPE{}\"{}\"",
            rng.pick(&["=", "!=", "~", "!~"]),
            rng.pick(&["snp", "indel", "ref", "overlap", "other"])
        ),
        11 => format!(
            "{}{}\".\"",
            rng.pick(&["DP", "QUAL", "GQ", "AF", "GENE"]),
            rng.pick(&["=", "!="])
        ),
        12 => format!(
            "GENE{}\"{}\"",
            rng.pick(&["=", "!=", "~", "!~"]),
            rng.pick(&["BRCA1", "brca", "BRCA1/i", "TP"])
        ),
        13 => format!("N_PASS(GQ>{})>={}", rng.below(99), rng.below(3)),
        14 => format!("VAF{op}0.{}", rng.below(100)),
        15 => format!("sMAX(AD){op}{}", rng.below(30)),
        // Bare values where a condition belongs: they never hold, per sample or not.
        16 => {
            let subscripted = format!("FMT/GQ[{sample}]");
            let bare = ["DB", "INFO/DB", "GQ", "INFO/DP", "AF", subscripted.as_str()];
            let k = rng.below(if n_samples > 0 { 6 } else { 5 });
            bare[k as usize].to_string()
        }
        // Sample subscripts.
        17 if n_samples > 0 => format!(
            "GT[{sample}]{}\"{}\"",
            rng.pick(&["=", "!="]),
            rng.pick(&["het", "hom", "ref", "alt", "mis", "AA", "0/1"])
        ),
        18 if n_samples > 0 => format!("AD[{sample}:{}]{op}{}", rng.below(2), rng.below(30)),
        19 => format!(
            "{}[*]{op}{}",
            rng.pick(&["GQ", "FMT/GQ", "VAF", "AD"]),
            rng.below(30)
        ),
        _ => format!("POS{op}{}", 100 + rng.below(300)),
    }
}

fn expression(rng: &mut Rng, n_samples: usize, depth: u32) -> String {
    if depth == 0 || rng.chance(30) {
        return comparison(rng, n_samples);
    }
    let a = expression(rng, n_samples, depth - 1);
    let b = expression(rng, n_samples, depth - 1);
    let op = *rng.pick(&["&&", "&", "||", "|"]);
    match rng.below(8) {
        0 => format!("!({a} {op} {b})"),
        1 => format!("({a}) {op} ({b})"),
        2 => format!("({a}) {op} {b}"),
        3 => format!("{a} {op} ({b})"),
        4 => format!("({a} {op} {b})"),
        _ => format!("{a} {op} {b}"),
    }
}

#[test]
fn columnar_filter_equals_row_by_row_evaluation() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    for round in 0..150 {
        let store = random_store(&mut rng);
        for _ in 0..30 {
            let expr = expression(&mut rng, store.samples().len(), 3);
            let mode = if rng.chance(30) {
                Mode::Exclude
            } else {
                Mode::Include
            };
            let filter = match Filter::compile(&expr, &store, mode, &NoFiles) {
                Ok(f) => f,
                Err(e) => panic!(
                    "round {round}: {expr:?} did not compile: {}",
                    e.render(&expr)
                ),
            };
            let columnar = filter.evaluate(&store);
            for i in 0..store.len() {
                let row = filter.evaluate_record(&store, i);
                assert_eq!(
                    columnar.pass.get(i),
                    row.keep,
                    "round {round}, record {i}, {mode:?} {expr:?}"
                );
            }
            // The clause counts add up to what the filter removed; a same-sample `&` can only
            // remove more than its clauses do one by one.
            let removed: u64 = columnar.clauses.iter().map(|c| c.removed).sum();
            let total = store.len() as u64 - columnar.pass.count_ones();
            assert!(removed <= total, "{expr:?}");
            if !expr.contains(" & ") {
                assert_eq!(removed, total, "{expr:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4500);
}
