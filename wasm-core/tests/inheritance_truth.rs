//! Truth tables: every trio genotype combination (0/0, 0/1, 1/1, ./. for the proband, father and
//! mother), on chr1 and on chrX outside the PARs, male and female probands, parents unaffected
//! or one of them affected, strict and lenient — Enclave's `--no-gates` answers against genmod
//! 3.12.0 and `inheritance` 0.1.5 (GEMINI's logic), whose answers
//! `scripts/regen-inheritance-oracles.sh` committed in `testdata/expected/inheritance/`
//! (CLINICAL.md §3). Compound hets: every pair of parental genotypes at two sites of one gene
//! against genmod's `Compounds`.
//!
//! Every place Enclave decides otherwise is a rule of
//! `testdata/expected/inheritance/accepted-differences.tsv` naming its reason, each reason
//! explained in docs/INHERITANCE.md: a difference no rule covers fails, and so does a rule that
//! covers no difference (the list stays true).

use std::collections::{BTreeMap, BTreeSet};

use enclave_test_support::engine::read_from;
use enclave_test_support::files;
use wasm_core::inheritance::{Analysis, Build, Gates, Mode, Options, Verdict};
use wasm_core::pedigree::Pedigree;

/// Enclave's mode and the oracle column it is compared with (`{s}`: strict / lenient). genmod
/// decides by chromosome itself; GEMINI's models know no chromosome (its users filter by
/// chromosome), so its autosomal models and its Mendel classes are compared on chr1 and its
/// chrX models on chrX.
const PAIRS: &[(Mode, &str)] = &[
    (Mode::DeNovo, "genmod.AD_dn.{s}"),
    (Mode::Dominant, "genmod.AD.{s}"),
    (Mode::Recessive, "genmod.AR_hom.{s}"),
    (Mode::XRecessive, "genmod.XR.{s}"),
    (Mode::XDominant, "genmod.XD.{s}"),
    (Mode::XDeNovo, "genmod.XD_dn.{s}"),
    (Mode::DeNovo, "inheritance.de_novo.{s}"),
    (Mode::Dominant, "inheritance.auto_dom.{s}"),
    (Mode::Recessive, "inheritance.auto_rec.{s}"),
    (Mode::XRecessive, "inheritance.x_rec"),
    (Mode::XDominant, "inheritance.x_dom"),
    (Mode::XDeNovo, "inheritance.x_denovo"),
    (Mode::MendelError, "inheritance.mendel"),
];

/// Where a GEMINI column is compared: chr1 (`auto`) or chrX (`x`).
fn gemini_chrom(column: &str) -> Option<&'static str> {
    match column {
        c if !c.starts_with("inheritance.") => None,
        c if c.starts_with("inheritance.x_") => Some("x"),
        _ => Some("auto"),
    }
}

/// One cell where Enclave and an oracle are compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cell {
    oracle: String,
    mode: &'static str,
    chrom: &'static str,
    sex: &'static str,
    ped: String,
    strictness: &'static str,
    kid: String,
    dad: String,
    mom: String,
    oracle_says: bool,
    enclave_says: bool,
}

impl Cell {
    fn line(&self) -> String {
        format!(
            "?\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.oracle,
            self.mode,
            self.chrom,
            self.sex,
            self.ped,
            self.strictness,
            self.kid,
            self.dad,
            self.mom,
            u8::from(self.oracle_says),
            u8::from(self.enclave_says)
        )
    }
}

/// A rule of accepted-differences.tsv: `*` matches anything, `a|b` either.
struct Rule {
    line: usize,
    reason: String,
    fields: Vec<String>,
}

impl Rule {
    fn matches(&self, c: &Cell) -> bool {
        let values = [
            c.oracle.clone(),
            c.mode.to_string(),
            c.chrom.to_string(),
            c.sex.to_string(),
            c.ped.clone(),
            c.strictness.to_string(),
            c.kid.clone(),
            c.dad.clone(),
            c.mom.clone(),
            u8::from(c.oracle_says).to_string(),
            u8::from(c.enclave_says).to_string(),
        ];
        self.fields
            .iter()
            .zip(&values)
            .all(|(pattern, v)| pattern == "*" || pattern.split('|').any(|p| p == v))
    }
}

fn rules() -> Vec<Rule> {
    let text = String::from_utf8(files::testdata(
        "expected/inheritance/accepted-differences.tsv",
    ))
    .expect("text");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|(k, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                cols.len(),
                12,
                "accepted-differences.tsv line {}: 12 columns",
                k + 1
            );
            Rule {
                line: k + 1,
                reason: cols[0].to_string(),
                fields: cols[1..].iter().map(|s| s.to_string()).collect(),
            }
        })
        .collect()
}

fn analysis(vcf: &str, ped: &str, lenient: bool) -> (wasm_core::Dataset, Analysis) {
    let bytes = files::testdata(&format!("inheritance/{vcf}"));
    let ds = read_from(vcf, &bytes[..], None).expect("the truth-table VCF reads");
    let pedigree = Pedigree::parse(&files::testdata(&format!("inheritance/{ped}"))).expect("PED");
    let a = Analysis::new(
        &ds.store,
        &pedigree,
        Options {
            gates: Gates::off(),
            lenient,
            build: Some(Build::GRCh37),
        },
    )
    .expect("the analysis starts");
    (ds, a)
}

/// Every compared cell of the truth tables.
fn cells() -> Vec<Cell> {
    let text =
        String::from_utf8(files::testdata("expected/inheritance/truth-tables.tsv")).expect("text");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let mut by_case: BTreeMap<String, Vec<BTreeMap<&str, &str>>> = BTreeMap::new();
    for l in lines {
        let row: BTreeMap<&str, &str> = header.iter().copied().zip(l.split('\t')).collect();
        by_case
            .entry(row["case"].to_string())
            .or_default()
            .push(row);
    }
    assert_eq!(by_case.len(), 12, "2 chromosomes × 2 sexes × 3 pedigrees");
    let mut out = Vec::new();
    for (case, rows) in &by_case {
        assert_eq!(rows.len(), 64, "{case}: every trio combination");
        let chrom = if case.contains("-auto-") { "auto" } else { "x" };
        let sex = if case.contains("-male-") {
            "male"
        } else {
            "female"
        };
        let ped = case
            .splitn(4, '-')
            .nth(3)
            .expect("the pedigree's name")
            .to_string();
        for lenient in [false, true] {
            let strictness = if lenient { "lenient" } else { "strict" };
            let (ds, a) = analysis(&format!("{case}.vcf"), &format!("{case}.ped"), lenient);
            let kept: std::collections::HashMap<Mode, wasm_core::bitmap::Bitmap> = Mode::ALL
                .iter()
                .map(|&m| (m, a.evaluate(&ds.store, m).kept()))
                .collect();
            for (i, row) in rows.iter().enumerate() {
                let id = format!("{}_{}_{}", row["kid"], row["dad"], row["mom"]);
                assert_eq!(
                    &*ds.store.id(i),
                    id.as_bytes(),
                    "{case}: records in table order"
                );
                for &(mode, column) in PAIRS {
                    if gemini_chrom(column).is_some_and(|c| c != chrom) {
                        continue;
                    }
                    let oracle_says = if column == "inheritance.mendel" {
                        header
                            .iter()
                            .filter(|h| h.starts_with("inheritance.mendel."))
                            .any(|h| row[h] == "1")
                    } else {
                        row[column.replace("{s}", strictness).as_str()] == "1"
                    };
                    out.push(Cell {
                        oracle: column.replace(".{s}", ""),
                        mode: mode.name(),
                        chrom,
                        sex,
                        ped: ped.clone(),
                        strictness,
                        kid: row["kid"].to_string(),
                        dad: row["dad"].to_string(),
                        mom: row["mom"].to_string(),
                        oracle_says,
                        enclave_says: kept[&mode].get(i),
                    });
                }
            }
        }
    }
    out
}

#[test]
fn every_difference_from_genmod_and_gemini_is_listed_with_its_reason() {
    let cells = cells();
    let rules = rules();
    let doc = String::from_utf8(
        std::fs::read(files::workspace_root().join("docs/INHERITANCE.md"))
            .expect("docs/INHERITANCE.md"),
    )
    .expect("text");
    let differ: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.oracle_says != c.enclave_says)
        .collect();
    let uncovered: Vec<String> = differ
        .iter()
        .filter(|c| !rules.iter().any(|r| r.matches(c)))
        .map(|c| c.line())
        .collect();
    assert!(
        uncovered.is_empty(),
        "{} of {} differences are not in accepted-differences.tsv:\n{}",
        uncovered.len(),
        differ.len(),
        uncovered.join("\n")
    );
    for r in &rules {
        assert!(
            differ.iter().any(|c| r.matches(c)),
            "accepted-differences.tsv line {}: covers no difference ({}); remove it",
            r.line,
            r.fields.join(" ")
        );
        assert!(
            doc.contains(&format!("`{}`", r.reason)),
            "accepted-differences.tsv line {}: reason {} is not explained in docs/INHERITANCE.md",
            r.line,
            r.reason
        );
    }
    // The comparison is not vacuous: most cells agree, and each mode agrees on hits.
    let agree_hits: BTreeSet<&str> = cells
        .iter()
        .filter(|c| c.oracle_says && c.enclave_says)
        .map(|c| c.mode)
        .collect();
    assert_eq!(agree_hits.len(), Mode::ALL.len() - 1, "{agree_hits:?}");
    assert!(
        differ.len() * 4 < cells.len(),
        "{} of {} cells differ",
        differ.len(),
        cells.len()
    );
}

#[test]
fn compound_het_pairs_are_genmods_where_the_parents_are_called() {
    let text = String::from_utf8(files::testdata(
        "expected/inheritance/comphet-auto-unaffected-parents.tsv",
    ))
    .expect("text");
    let mut genmod: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for l in text.lines().skip(1) {
        let c: Vec<&str> = l.split('\t').collect();
        let partners = if c[3] == "." {
            BTreeSet::new()
        } else {
            c[3].split(',').map(str::to_string).collect()
        };
        genmod.insert((c[0].to_string(), c[1].to_string()), partners);
    }
    let mut compared = 0;
    for lenient in [false, true] {
        let strictness = if lenient { "lenient" } else { "strict" };
        let (ds, a) = analysis(
            "comphet-auto-unaffected-parents.vcf",
            "comphet-auto-unaffected-parents.ped",
            lenient,
        );
        let store = &ds.store;
        let id = |i: usize| String::from_utf8_lossy(&store.id(i)).into_owned();
        for i in 0..store.len() {
            let e = &a.explain(store, i, Mode::CompHet)[0];
            let ours: BTreeSet<String> = e
                .partners
                .iter()
                .filter(|p| p.verdict != Verdict::No)
                .map(|p| format!("{}_{}_A_G", p.chrom, p.pos))
                .collect();
            let theirs = &genmod[&(id(i), strictness.to_string())];
            // The two sites: (father, mother) genotypes at each.
            let gt = |k: usize, s: usize| store.genotype_text(k, s);
            let pair = (i / 2) * 2;
            let called = (0..2).all(|k| (1..3).all(|s| gt(pair + k, s) != "./."));
            let origin = |k: usize| {
                let (f, m) = (gt(pair + k, 1) != "0/0", gt(pair + k, 2) != "0/0");
                (f, m)
            };
            let (a0, a1) = (origin(0), origin(1));
            // genmod pairs any two sites no healthy parent carries both of; Enclave phases by
            // transmission: one site from each parent, or one inherited and one de novo, and no
            // parent homozygous (docs/INHERITANCE.md, `comp-het-phasing`).
            let one_each = (a0.0 && !a0.1 && a1.1 && !a1.0) || (a0.1 && !a0.0 && a1.0 && !a1.1);
            let with_de_novo = ((a0 == (false, false)) ^ (a1 == (false, false)))
                && [a0, a1].iter().all(|o| o.0 != o.1 || *o == (false, false));
            let no_hom = (0..2).all(|k| (1..3).all(|s| gt(pair + k, s) != "1/1"));
            if called {
                assert_eq!(
                    !ours.is_empty(),
                    (one_each || with_de_novo) && no_hom,
                    "{strictness} {}: {:?} {:?}",
                    id(i),
                    e.reasons,
                    e.notes
                );
                if !ours.is_empty() && one_each {
                    assert_eq!(&ours, theirs, "{strictness} {}: genmod pairs it too", id(i));
                }
                compared += 1;
            } else if strictness == "strict" {
                assert!(ours.is_empty(), "{} strict with a missing parent", id(i));
            }
        }
    }
    assert!(compared > 100);
}
