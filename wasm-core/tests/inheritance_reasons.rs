//! One test case per reason code (CLINICAL.md §2, "Reason codes": one test each), each on a
//! literal family and a few literal calls; and the bad input the pedigree and the analysis must
//! answer with a typed error or a notice, never a panic: a PED naming no sample of the file, a
//! PED with a cycle, Windows line ends, a file without GQ/AD, chrX without a build.

use enclave_test_support::engine::read_from;
use enclave_test_support::rng::SplitMix64;
use wasm_core::inheritance::{
    Analysis, Build, Gates, InheritanceError, InheritanceErrorKind, Mode, Notice, Options,
    ReasonCode, Verdict,
};
use wasm_core::pedigree::{Pedigree, PedigreeErrorKind, looks_like_ped};

const TRIO: &str = "f KID FA MO 1 2\nf FA 0 0 1 1\nf MO 0 0 2 1\n";
const QUARTET: &str = "f KID FA MO 1 2\nf FA 0 0 1 1\nf MO 0 0 2 1\nf SIB FA MO 2 1\n";

/// A call with good quality unless given: `0/1` → `0/1:10,10:20:50`.
fn good(gt: &str) -> String {
    let ad = match gt {
        "0/0" | "0" => "20,0",
        "0/1" => "10,10",
        "1/1" | "1" => "0,20",
        _ => ".",
    };
    format!("{gt}:{ad}:20:50")
}

/// A VCF of `samples` with one record per `(chrom, pos, gene, calls)`.
fn vcf(samples: &[&str], records: &[(&str, u64, Option<&str>, Vec<String>)]) -> String {
    let mut out = String::from(
        "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr1,length=248956422>\n\
         ##contig=<ID=chrX,length=156040895>\n\
         ##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene\">\n\
         ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n\
         ##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"AD\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"DP\">\n\
         ##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"GQ\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t",
    );
    out.push_str(&samples.join("\t"));
    out.push('\n');
    for (chrom, pos, gene, calls) in records {
        let info = gene.map_or(".".to_string(), |g| {
            format!("CSQ=G|missense_variant|MODERATE|{g}|ENSG1")
        });
        out.push_str(&format!(
            "{chrom}\t{pos}\t.\tA\tG\t50\tPASS\t{info}\tGT:AD:DP:GQ\t{}\n",
            calls.join("\t")
        ));
    }
    out
}

/// A verdict, its reasons' codes, its notes' codes, and the samples the reasons name.
type Explained = (
    Verdict,
    Vec<ReasonCode>,
    Vec<ReasonCode>,
    Vec<Option<String>>,
);

/// Every explanation of `record` under `mode`, with the reasons and notes' codes.
fn explain(ped: &str, text: &str, mode: Mode, record: usize, lenient: bool) -> Vec<Explained> {
    let ds = read_from("case", text.as_bytes(), None).expect("the case reads");
    let pedigree = Pedigree::parse(ped.as_bytes()).expect("the PED parses");
    let a = Analysis::new(
        &ds.store,
        &pedigree,
        Options {
            gates: Gates::default(),
            lenient,
            build: Some(Build::GRCh38),
        },
    )
    .expect("the analysis starts");
    // The columnar answer agrees with the explanation (the property test's claim, here too).
    let kept = a.evaluate(&ds.store, mode).kept().get(record);
    let explained = a.explain(&ds.store, record, mode);
    assert_eq!(
        kept,
        explained.iter().any(|e| e.verdict != Verdict::No),
        "{explained:#?}"
    );
    explained
        .into_iter()
        .map(|e| {
            (
                e.verdict,
                e.reasons.iter().map(|r| r.code).collect(),
                e.notes.iter().map(|r| r.code).collect(),
                e.reasons.iter().map(|r| r.sample.clone()).collect(),
            )
        })
        .collect()
}

/// Asserts that `code` is among the first explanation's reasons (or notes), naming `sample`.
#[allow(clippy::too_many_arguments)]
fn case(
    code: ReasonCode,
    ped: &str,
    samples: &[&str],
    records: &[(&str, u64, Option<&str>, Vec<String>)],
    mode: Mode,
    record: usize,
    lenient: bool,
    sample: Option<&str>,
) {
    let text = vcf(samples, records);
    let e = explain(ped, &text, mode, record, lenient);
    let (_, reasons, notes, named) = &e[0];
    let at = reasons.iter().position(|&c| c == code);
    match at {
        Some(k) => assert_eq!(
            named[k].as_deref(),
            sample.or(named[k].as_deref()),
            "{}: {e:?}",
            code.name()
        ),
        None => assert!(notes.contains(&code), "{}: not given: {e:?}", code.name()),
    }
}

fn trio(kid: &str, fa: &str, mo: &str) -> Vec<String> {
    vec![good(kid), good(fa), good(mo)]
}

const T: &[&str] = &["KID", "FA", "MO"];
const Q: &[&str] = &["KID", "FA", "MO", "SIB"];

#[test]
fn genotype_missing() {
    case(
        ReasonCode::GenotypeMissing,
        TRIO,
        T,
        &[("chr1", 100, None, trio("./.", "0/0", "0/0"))],
        Mode::DeNovo,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn gq_below() {
    let calls = vec!["0/1:10,10:20:5".into(), good("0/0"), good("0/0")];
    case(
        ReasonCode::GqBelow,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn dp_below() {
    let calls = vec!["0/1:3,3:6:50".into(), good("0/0"), good("0/0")];
    case(
        ReasonCode::DpBelow,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn allele_balance_het() {
    let calls = vec!["0/1:18,2:20:50".into(), good("0/0"), good("0/0")];
    case(
        ReasonCode::AlleleBalanceHet,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn allele_balance_hom_ref() {
    let calls = vec![good("0/1"), "0/0:12,8:20:50".into(), good("0/0")];
    case(
        ReasonCode::AlleleBalanceHomRef,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("FA"),
    );
}

#[test]
fn allele_balance_hom_alt() {
    let calls = vec!["1/1:6,14:20:50".into(), good("0/1"), good("0/1")];
    case(
        ReasonCode::AlleleBalanceHomAlt,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::Recessive,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn parent_alt_reads() {
    let calls = vec![good("0/1"), good("0/0"), "0/0:27,3:30:50".into()];
    case(
        ReasonCode::ParentAltReads,
        TRIO,
        T,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("MO"),
    );
}

#[test]
fn unaffected_carries() {
    let calls = vec![good("0/1"), good("0/0"), good("0/0"), good("0/1")];
    case(
        ReasonCode::UnaffectedCarries,
        QUARTET,
        Q,
        &[("chr1", 100, None, calls)],
        Mode::DeNovo,
        0,
        false,
        Some("SIB"),
    );
}

#[test]
fn affected_lacks() {
    case(
        ReasonCode::AffectedLacks,
        TRIO,
        T,
        &[("chr1", 100, None, trio("0/0", "0/0", "0/0"))],
        Mode::DeNovo,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn parent_not_het() {
    case(
        ReasonCode::ParentNotHet,
        TRIO,
        T,
        &[("chr1", 100, None, trio("1/1", "0/0", "0/1"))],
        Mode::Recessive,
        0,
        false,
        Some("FA"),
    );
}

#[test]
fn parent_carries() {
    case(
        ReasonCode::ParentCarries,
        TRIO,
        T,
        &[("chr1", 100, None, trio("0/1", "0/1", "0/0"))],
        Mode::DeNovo,
        0,
        false,
        Some("FA"),
    );
}

#[test]
fn daughter_lacks() {
    let ped = "f FA 0 0 1 2\nf MO 0 0 2 1\nf DAU FA MO 2 1\n";
    let calls = vec![good("1"), good("0/0"), good("0/0")];
    case(
        ReasonCode::DaughterLacks,
        ped,
        &["FA", "MO", "DAU"],
        &[("chrX", 3_000_000, None, calls)],
        Mode::XDominant,
        0,
        false,
        Some("DAU"),
    );
}

#[test]
fn male_x_het() {
    case(
        ReasonCode::MaleXHet,
        TRIO,
        T,
        &[("chrX", 3_000_000, None, trio("0/1", "0", "0/1"))],
        Mode::XRecessive,
        0,
        false,
        None,
    );
}

#[test]
fn in_par() {
    case(
        ReasonCode::InPar,
        TRIO,
        T,
        &[("chrX", 1_000_000, None, trio("1/1", "0/0", "0/1"))],
        Mode::XRecessive,
        0,
        false,
        None,
    );
}

#[test]
fn not_on_x() {
    case(
        ReasonCode::NotOnX,
        TRIO,
        T,
        &[("chr1", 100, None, trio("1/1", "0/1", "0/1"))],
        Mode::XRecessive,
        0,
        false,
        None,
    );
}

#[test]
fn not_autosomal() {
    case(
        ReasonCode::NotAutosomal,
        TRIO,
        T,
        &[("chrX", 3_000_000, None, trio("0/1", "0", "0/0"))],
        Mode::DeNovo,
        0,
        false,
        None,
    );
}

#[test]
fn not_in_gene() {
    case(
        ReasonCode::NotInGene,
        TRIO,
        T,
        &[("chr1", 100, None, trio("0/1", "0/1", "0/0"))],
        Mode::CompHet,
        0,
        false,
        None,
    );
}

#[test]
fn no_partner() {
    case(
        ReasonCode::NoPartner,
        TRIO,
        T,
        &[("chr1", 100, Some("G1"), trio("0/1", "0/1", "0/0"))],
        Mode::CompHet,
        0,
        false,
        None,
    );
}

#[test]
fn same_parent() {
    let r = [
        ("chr1", 100, Some("G1"), trio("0/1", "0/1", "0/0")),
        ("chr1", 200, Some("G1"), trio("0/1", "0/1", "0/0")),
    ];
    case(
        ReasonCode::SameParent,
        TRIO,
        T,
        &r,
        Mode::CompHet,
        0,
        false,
        None,
    );
}

#[test]
fn both_de_novo() {
    let r = [
        ("chr1", 100, Some("G1"), trio("0/1", "0/0", "0/0")),
        ("chr1", 200, Some("G1"), trio("0/1", "0/0", "0/0")),
    ];
    case(
        ReasonCode::BothDeNovo,
        TRIO,
        T,
        &r,
        Mode::CompHet,
        0,
        false,
        None,
    );
}

#[test]
fn both_parents_carry() {
    let r = [
        ("chr1", 100, Some("G1"), trio("0/1", "0/1", "0/1")),
        ("chr1", 200, Some("G1"), trio("0/1", "0/1", "0/0")),
    ];
    case(
        ReasonCode::BothParentsCarry,
        TRIO,
        T,
        &r,
        Mode::CompHet,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn unaffected_has_pair() {
    let r = [
        (
            "chr1",
            100,
            Some("G1"),
            vec![good("0/1"), good("0/1"), good("0/0"), good("0/1")],
        ),
        (
            "chr1",
            200,
            Some("G1"),
            vec![good("0/1"), good("0/0"), good("0/1"), good("0/1")],
        ),
    ];
    case(
        ReasonCode::UnaffectedHasPair,
        QUARTET,
        Q,
        &r,
        Mode::CompHet,
        0,
        false,
        None,
    );
}

#[test]
fn unphased() {
    let r = [
        ("chr1", 100, Some("G1"), vec![good("0/1")]),
        ("chr1", 200, Some("G1"), vec![good("0/1")]),
    ];
    let text = vcf(&["KID"], &r);
    let e = explain("f KID 0 0 1 2\n", &text, Mode::CompHet, 0, false);
    assert_eq!(e[0].0, Verdict::Possible, "{e:?}");
    assert!(e[0].2.contains(&ReasonCode::Unphased), "{e:?}");
}

#[test]
fn mendel_error() {
    case(
        ReasonCode::MendelError,
        TRIO,
        T,
        &[("chr1", 100, None, trio("1/1", "0/0", "0/1"))],
        Mode::Recessive,
        0,
        false,
        None,
    );
    let text = vcf(T, &[("chr1", 100, None, trio("1/1", "0/0", "0/1"))]);
    assert_eq!(
        explain(TRIO, &text, Mode::MendelError, 0, false)[0].0,
        Verdict::Fits
    );
}

#[test]
fn mendel_consistent() {
    case(
        ReasonCode::MendelConsistent,
        TRIO,
        T,
        &[("chr1", 100, None, trio("0/1", "0/1", "0/0"))],
        Mode::MendelError,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn no_affected() {
    let ped = "f KID FA MO 1 1\nf FA 0 0 1 1\nf MO 0 0 2 1\n";
    case(
        ReasonCode::NoAffected,
        ped,
        T,
        &[("chr1", 100, None, trio("0/1", "0/0", "0/0"))],
        Mode::DeNovo,
        0,
        false,
        None,
    );
}

#[test]
fn parent_absent() {
    let text = vcf(&["KID"], &[("chr1", 100, None, vec![good("0/1")])]);
    let e = explain("f KID 0 0 1 2\n", &text, Mode::DeNovo, 0, true);
    assert!(e[0].1.contains(&ReasonCode::ParentAbsent), "{e:?}");
    // Even lenient: a de novo needs both parents in the pedigree.
    assert_eq!(e[0].0, Verdict::No);
}

#[test]
fn no_parents() {
    let text = vcf(&["KID"], &[("chr1", 100, None, vec![good("0/1")])]);
    let strict = explain("f KID 0 0 1 2\n", &text, Mode::Dominant, 0, false);
    assert!(strict[0].1.contains(&ReasonCode::NoParents), "{strict:?}");
    assert_eq!(strict[0].0, Verdict::No);
    // Lenient keeps it as possible: inheritance cannot be told.
    let lenient = explain("f KID 0 0 1 2\n", &text, Mode::Dominant, 0, true);
    assert_eq!(lenient[0].0, Verdict::Possible);
}

#[test]
fn no_affected_parent() {
    case(
        ReasonCode::NoAffectedParent,
        TRIO,
        T,
        &[("chr1", 100, None, trio("0/1", "0/0", "0/0"))],
        Mode::Dominant,
        0,
        false,
        Some("KID"),
    );
}

#[test]
fn no_trio() {
    let text = vcf(&["KID"], &[("chr1", 100, None, vec![good("0/1")])]);
    let e = explain("f KID 0 0 1 2\n", &text, Mode::MendelError, 0, false);
    assert_eq!(e[0].1, [ReasonCode::NoTrio]);
}

#[test]
fn every_reason_code_has_a_test_here() {
    let source = include_str!("inheritance_reasons.rs");
    for code in ReasonCode::ALL {
        assert!(
            source.contains(&format!("ReasonCode::{code:?}")),
            "no test names ReasonCode::{code:?}"
        );
    }
}

// Bad input.

#[test]
fn a_ped_naming_no_sample_of_the_file_is_a_typed_error() {
    let text = vcf(T, &[("chr1", 100, None, trio("0/1", "0/0", "0/0"))]);
    let ds = read_from("case", text.as_bytes(), None).expect("reads");
    let ped = Pedigree::parse(b"f A B C 1 2\nf B 0 0 1 1\nf C 0 0 2 1\n").expect("parses");
    let e = Analysis::new(&ds.store, &ped, Options::default()).unwrap_err();
    assert_eq!(
        e.kind(),
        InheritanceErrorKind::Pedigree(PedigreeErrorKind::NoSampleInFile),
        "{}",
        e.report()
    );
}

#[test]
fn a_ped_with_a_cycle_is_a_typed_error_naming_the_line() {
    let e = Pedigree::parse(b"f KID FA MO 1 2\nf FA KID 0 1 1\nf MO 0 0 2 1\n").unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (PedigreeErrorKind::OwnAncestor, Some(1)),
        "{}",
        e.report()
    );
}

#[test]
fn windows_line_ends_read_as_unix_ones() {
    let crlf = TRIO.replace('\n', "\r\n");
    assert_eq!(
        Pedigree::parse(crlf.as_bytes()),
        Pedigree::parse(TRIO.as_bytes())
    );
    assert!(looks_like_ped(crlf.as_bytes()));
    // CR alone (classic Mac OS) would make the file one line: an error naming it, not a
    // pedigree of the first individual.
    let cr = TRIO.replace('\n', "\r");
    let e = Pedigree::parse(cr.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (PedigreeErrorKind::CarriageReturn, Some(1))
    );
}

#[test]
fn a_file_without_gq_or_ad_skips_those_gates_with_a_notice() {
    let text = "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n\
                #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tFA\tMO\n\
                1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/0\t0/0\n";
    let ds = read_from("case", text.as_bytes(), None).expect("reads");
    let ped = Pedigree::parse(TRIO.as_bytes()).unwrap();
    let a = Analysis::new(&ds.store, &ped, Options::default()).expect("starts");
    let skipped: Vec<&str> = a
        .notices()
        .iter()
        .filter_map(|n| match n {
            Notice::GateSkipped(g) => Some(g.field.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        skipped.contains(&"FORMAT/GQ")
            && skipped.contains(&"FORMAT/AD")
            && skipped.contains(&"FORMAT/DP"),
        "{skipped:?}"
    );
    assert_eq!(a.evaluate(&ds.store, Mode::DeNovo).fits.count_ones(), 1);
}

#[test]
fn chrx_without_a_build_asks_for_one() {
    let text = "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n\
                #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tFA\tMO\n\
                X\t3000000\t.\tA\tG\t50\tPASS\t.\tGT\t1\t0\t0/1\n";
    let ds = read_from("case", text.as_bytes(), None).expect("reads");
    let ped = Pedigree::parse(TRIO.as_bytes()).unwrap();
    let e = Analysis::new(&ds.store, &ped, Options::default()).unwrap_err();
    assert_eq!(e.kind(), InheritanceErrorKind::NoBuild, "{}", e.report());
    assert!(
        matches!(e, InheritanceError::NoBuild { x_records: 1 }),
        "{e}"
    );
    let options = Options {
        build: Some(Build::GRCh37),
        ..Options::default()
    };
    let a = Analysis::new(&ds.store, &ped, options).expect("with a build");
    assert_eq!(
        a.evaluate(&ds.store, Mode::XRecessive).kept().count_ones(),
        1
    );
}

#[test]
fn random_bytes_never_panic_the_ped_reader() {
    let mut rng = SplitMix64(7);
    let alphabet = b"f01 2-9\t\r\n#KIDFAMOxyz\xff";
    for _ in 0..3000 {
        let len = rng.size(120);
        let bytes: Vec<u8> = (0..len).map(|_| *rng.pick(alphabet)).collect();
        let _ = looks_like_ped(&bytes);
        if let Ok(p) = Pedigree::parse(&bytes) {
            for f in 0..p.families().len() {
                let _ = p.roles(f);
            }
            let _ = p.match_samples(&["KID".into(), "FA".into()]);
        }
    }
}
