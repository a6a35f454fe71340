//! Conformance of the filter engine with bcftools' own filter-expression tests.
//!
//! The 249 cases of `bcftools-filter-tests.tsv` (bcftools `test/test.pl`: `query -i/-e`,
//! `view -i/-e`, `filter`, plugins; see `testdata/bcftools-filter/SOURCE.md`) are replayed
//! through the engine in-process: the command line is parsed, the input is read with
//! `read_dataset`, the expression compiled with `Filter::compile`, and the output produced with
//! `export::query` (query) or `export::write_vcf_record` (view, filter) and compared with the
//! expected output bcftools' test suite ships.
//!
//! - `query` output is compared byte for byte.
//! - VCF output (`view`, `filter`) is compared on data lines only (header lines, `#…`, are
//!   skipped): lines are split on tabs; two fields are equal when textually equal or when both
//!   parse as numbers equal at f32 precision; INFO is compared as a set of `key=value` entries
//!   (the store keeps INFO in header order, bcftools in record order) and FORMAT as per-sample
//!   `key → value` maps (an absent key counts as `.`), values compared the same way item by item.
//! - `filter -s/-m/-S` is applied to the VCF line as bcftools' `vcffilter.c` does: failing
//!   records get the soft-filter name (replacing FILTER, or added with `-m+`), passing records
//!   get PASS when FILTER is empty (always with `-mx`), `-S .|0` sets the genotypes of failing
//!   samples and updates INFO/AN and INFO/AC. A piped `| bcftools query` reads that VCF back with
//!   `read_dataset`.
//! - Cases outside the filter language (plugins, `-g/-G` gap filters, masks other than record
//!   overlap) are `n/a` with a reason.
//!
//! The result table is committed in `testdata/expected/bcftools-filter-conformance.tsv`; a run
//! that differs from it fails (a regression, or an improvement to bless). Regenerate after an
//! intended change: `ENCLAVE_BLESS=1 cargo test -p wasm-core --test filter_conformance`.
//! A failing case does not fail the test by itself: the table records it.

mod command;
mod compare;
mod run;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use enclave_test_support::files::{blessing, workspace_root};

use self::command::{Decision, decide};
use self::compare::{compare, shorten};
use self::run::run_plan;

const TABLE: &str = "expected/bcftools-filter-conformance.tsv";
const CASES: &str = "bcftools-filter-tests.tsv";
/// A case that runs longer than this (an engine loop) is a failure, not a hung test.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// The folder holding `bcftools-filter-tests.tsv` and `bcftools/test/`: the committed copy
/// (always preferred, so CI and a fresh clone behave the same), else `../shared/testdata`.
fn data_root() -> PathBuf {
    let committed = workspace_root().join("testdata/bcftools-filter");
    if committed.join(CASES).is_file() {
        return committed;
    }
    let shared = workspace_root().join("../shared/testdata");
    assert!(
        shared.join(CASES).is_file(),
        "neither testdata/bcftools-filter/{CASES} nor ../shared/testdata/{CASES} exists"
    );
    println!("note: using ../shared/testdata (testdata/bcftools-filter/ is not there)");
    shared
}

/// One row of the cases table.
#[derive(Debug, Clone)]
struct Case {
    line: String,
    kind: String,
    command: String,
    /// Paths relative to the data root.
    input: String,
    expected: String,
}

fn read_cases(root: &Path) -> Vec<Case> {
    let text = fs::read_to_string(root.join(CASES)).expect("read the cases table");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 5, "short row in {CASES}: {l}");
            Case {
                line: c[0].to_string(),
                kind: c[1].to_string(),
                command: c[2].to_string(),
                input: c[3].to_string(),
                expected: c[4].to_string(),
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Pass,
    Fail(String),
    NotApplicable(String),
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs one case on its own thread: a panic (a `todo!` in the engine, a bug) or a hang marks
/// the case failed instead of ending the run.
fn run_case(root: &Path, case: &Case) -> Status {
    let plan = match decide(case) {
        Decision::NotApplicable(reason) => return Status::NotApplicable(reason),
        Decision::Run(plan) => plan,
    };
    let (tx, rx) = mpsc::channel();
    let (root, case2) = (root.to_path_buf(), case.clone());
    std::thread::spawn(move || {
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            let expected = fs::read(root.join(&case2.expected))
                .map_err(|e| format!("cannot read {}: {e}", case2.expected))?;
            compare(&run_plan(&root, &case2, &plan)?, &expected)
        }));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(CASE_TIMEOUT) {
        Ok(Ok(Ok(()))) => Status::Pass,
        Ok(Ok(Err(reason))) => Status::Fail(reason),
        Ok(Err(payload)) => Status::Fail(format!("panic: {}", panic_message(payload.as_ref()))),
        Err(_) => Status::Fail(format!("no result after {} s", CASE_TIMEOUT.as_secs())),
    }
}

fn one_line(s: &str) -> String {
    shorten(s, 300)
}

fn render_table(cases: &[Case], statuses: &[Status]) -> String {
    let count = |f: fn(&Status) -> bool| statuses.iter().filter(|s| f(s)).count();
    let pass = count(|s| matches!(s, Status::Pass));
    let fail = count(|s| matches!(s, Status::Fail(_)));
    let na = count(|s| matches!(s, Status::NotApplicable(_)));
    let applicable = pass + fail;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# bcftools filter-language conformance: the {} cases of bcftools test/test.pl listed in \
         testdata/bcftools-filter/{CASES}, run through Enclave's engine by wasm-core/tests/filter_conformance/.",
        cases.len()
    );
    let _ = writeln!(
        t,
        "# totals: pass {pass}, fail {fail}, n/a {na}; applicable {applicable}/{} ({:.1} %), passing {pass}/{applicable}.",
        cases.len(),
        100.0 * applicable as f64 / cases.len().max(1) as f64
    );
    let _ = writeln!(
        t,
        "# query output is compared byte for byte. VCF output (view, filter) is compared on DATA lines only (header lines \
         starting with # are skipped), split on tabs: fields equal when textually equal or both numbers equal at f32 \
         precision; INFO as a set of key=value entries, FORMAT as per-sample key->value maps (absent = .), values item by item."
    );
    let _ = writeln!(
        t,
        "# Regenerate after an intended change: ENCLAVE_BLESS=1 cargo test -p wasm-core --test filter_conformance"
    );
    t.push_str("case\tkind\tcommand\tstatus\treason\n");
    for (c, s) in cases.iter().zip(statuses) {
        let (status, reason) = match s {
            Status::Pass => ("pass", String::new()),
            Status::Fail(r) => ("fail", one_line(r)),
            Status::NotApplicable(r) => ("n/a", one_line(r)),
        };
        let _ = writeln!(
            t,
            "{}\t{}\t{}\t{status}\t{reason}",
            c.line,
            c.kind,
            one_line(&c.command)
        );
    }
    t
}

/// Rows that changed between two tables, keyed by case.
fn table_diff(old: &str, new: &str) -> Vec<String> {
    let rows = |t: &str| -> BTreeMap<String, String> {
        t.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("case\t"))
            .map(|l| {
                (
                    l.split('\t').next().unwrap_or("").to_string(),
                    l.to_string(),
                )
            })
            .collect()
    };
    let (o, n) = (rows(old), rows(new));
    let mut out = Vec::new();
    for (k, row) in &n {
        match o.get(k) {
            None => out.push(format!("  new:  {row}")),
            Some(was) if was != row => out.push(format!("  was:  {was}\n  now:  {row}")),
            Some(_) => {}
        }
    }
    for (k, row) in &o {
        if !n.contains_key(k) {
            out.push(format!("  gone: {row}"));
        }
    }
    out
}

#[test]
fn bcftools_filter_tests() {
    let root = data_root();
    let cases = read_cases(&root);
    assert_eq!(cases.len(), 249, "the cases table changed size");

    // Panics are results here; keep their messages out of the test output.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let statuses: Vec<Status> = cases.iter().map(|c| run_case(&root, c)).collect();
    panic::set_hook(default_hook);

    let table = render_table(&cases, &statuses);
    let pass = statuses.iter().filter(|s| **s == Status::Pass).count();
    let fail = statuses
        .iter()
        .filter(|s| matches!(s, Status::Fail(_)))
        .count();
    let applicable = pass + fail;
    let share = 100.0 * applicable as f64 / cases.len() as f64;
    println!(
        "bcftools filter conformance: pass {pass}, fail {fail}, n/a {}; applicable {applicable}/{} = {share:.1} %",
        cases.len() - applicable,
        cases.len()
    );
    for (c, s) in cases.iter().zip(&statuses) {
        if let Status::Fail(r) = s {
            println!(
                "  fail {}: {}\n       {}",
                c.line,
                shorten(&c.command, 160),
                shorten(r, 200)
            );
        }
    }
    assert!(
        share >= 90.0,
        "only {share:.1} % of the cases are applicable (at least 90 % must be)"
    );

    let path = workspace_root().join("testdata").join(TABLE);
    if blessing() {
        fs::write(&path, &table).expect("write the conformance table");
        println!("wrote {}", path.display());
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if committed != table {
        let diff = table_diff(&committed, &table);
        panic!(
            "the conformance results differ from {TABLE} ({} row(s)):\n{}\n\
             a regression fails here; if the change is intended (an improvement), regenerate with \
             `ENCLAVE_BLESS=1 cargo test -p wasm-core --test filter_conformance` and review the diff",
            diff.len(),
            diff.join("\n")
        );
    }
}
