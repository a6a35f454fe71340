//! The QC statistics rows of `cargo xtask bench` (issue #15): on `genome.1s.vcf.gz`,
//! `bcftools stats -s -` beside `enclave stats --bcftools` (the native CLI: read the file, then
//! every section), as a ratio, their SN and TSTV sections compared line for line; and
//! `enclave-bench qcstats`, the statistics over the store already loaded (in-process, natively):
//! what the app's QC panel waits for after the load, whose budget is ≤ 1 s.
//!
//! The machine's bcftools may be older than the 1.24 Enclave follows (Debian's is 1.16); SN and
//! TSTV are the sections both print the same way, so the check compares only those (the tests
//! compare every section with bcftools 1.24's output).

use std::process::Command;

use super::{
    Budget, Check, Genome, Measured, Missing, Report, Status, best_of, capture, compare,
    missing_text, parse, ratio, seconds,
};
use crate::util::Cmd;

/// The QC panel's budget (issue #15): ready within a second of the load.
pub(super) const QC_BUDGET_S: f64 = 1.0;

/// The figures of one run of the stats benchmark.
pub(super) struct StatsResults {
    /// `bcftools stats -s - genome.1s.vcf.gz`.
    bcftools: Measured,
    /// `enclave stats --bcftools genome.1s.vcf.gz`.
    enclave: Measured,
    /// `enclave-bench qcstats`: seconds for the bcftools sections, for the QC beyond them, for
    /// both, and the records counted.
    in_process: Result<InProcess, String>,
}

struct InProcess {
    sections_s: f64,
    qc_s: f64,
    total_s: f64,
    records: u64,
}

/// Times the three on the one-sample genome.
pub(super) fn measure(g: &Genome) -> StatsResults {
    let one = g.dir.join("genome.1s.vcf.gz");
    println!("  genome.1s.vcf.gz: bcftools stats -s -");
    let bcftools = match g.bcftools {
        Some(b) => best_of(g.runs, || {
            capture(Command::new(b).args(["stats", "-s", "-"]).arg(&one))
        }),
        None => Err(Missing::NotInstalled("bcftools")),
    };
    let enclave = best_of(g.runs, || {
        capture(
            Command::new(g.enclave)
                .args(["stats", "--bcftools"])
                .arg(&one),
        )
    });
    println!("  genome.1s.vcf.gz: QC statistics over the loaded store (in-process)");
    let in_process = Cmd::new(g.native)
        .arg("qcstats")
        .arg(&one)
        .arg(g.runs.to_string())
        .read()
        .and_then(|out| parse(&out))
        .map_err(|e| e.to_string())
        .and_then(
            |t| match (t.get("bcftools_stats"), t.get("qc"), t.get("qc_total")) {
                (Some(&(sections_s, records)), Some(&(qc_s, _)), Some(&(total_s, _))) => {
                    Ok(InProcess {
                        sections_s,
                        qc_s,
                        total_s,
                        records,
                    })
                }
                _ => Err("enclave-bench qcstats printed no timing".into()),
            },
        );
    StatsResults {
        bcftools,
        enclave,
        in_process,
    }
}

/// The lines of `sections` (their first column) of a `bcftools stats` text.
fn sections(text: &[u8], sections: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let name = line.split(|&b| b == b'\t').next().unwrap_or_default();
        if sections.contains(&name) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

impl Report {
    /// The rows: bcftools, the enclave CLI with its ratio and check, the in-process figures.
    pub(super) fn stats(&mut self, s: &StatsResults) {
        let group = "QC statistics: bcftools stats -s - (genome.1s.vcf.gz)";
        let reference = match &s.bcftools {
            Ok(t) => {
                self.row(
                    group,
                    "bcftools stats -s -",
                    seconds(t.seconds),
                    String::new(),
                    Check::None,
                );
                Some(t.seconds)
            }
            Err(m) => {
                let text = missing_text(m, "not supported");
                self.row(
                    group,
                    "bcftools stats -s -",
                    text,
                    String::new(),
                    Check::None,
                );
                None
            }
        };
        let tool = "enclave stats --bcftools (native)";
        match &s.enclave {
            Ok(t) => {
                let check = match &s.bcftools {
                    Ok(b) => {
                        let wanted: [&[u8]; 2] = [b"SN", b"TSTV"];
                        compare(
                            "stats SN and TSTV",
                            &sections(&b.stdout, &wanted),
                            &sections(&t.stdout, &wanted),
                        )
                    }
                    Err(_) => Check::None,
                };
                let r = ratio(t.seconds, reference);
                self.row(group, tool, seconds(t.seconds), r, check);
            }
            Err(m) => {
                let text = missing_text(m, "not supported");
                self.row(group, tool, text, String::new(), Check::None);
            }
        }
        let tool = "enclave-bench qcstats (native, in-process, store loaded)";
        match &s.in_process {
            Ok(p) => self.row(
                group,
                tool,
                format!(
                    "{} (bcftools sections {}, QC beyond them {})",
                    seconds(p.total_s),
                    seconds(p.sections_s),
                    seconds(p.qc_s)
                ),
                // No ratio: bcftools reads the file too; the CLI row above is the like-for-like.
                String::new(),
                Check::Ok(format!("{} records", p.records)),
            ),
            Err(e) => self.row(
                group,
                tool,
                format!("failed: {e}"),
                String::new(),
                Check::None,
            ),
        }
    }

    /// The QC panel's budget line, from the in-process figure.
    pub(super) fn stats_budget(&mut self, s: &StatsResults) {
        let (measured, status) = match &s.in_process {
            Ok(p) => (
                format!(
                    "native engine, in-process: {} for every section and the QC beyond them",
                    seconds(p.total_s)
                ),
                if p.total_s <= QC_BUDGET_S {
                    Status::Met
                } else {
                    Status::NotMet
                },
            ),
            Err(e) => (format!("failed: {e}"), Status::NotMeasured),
        };
        self.budgets.push(Budget {
            budget: "the QC panel's statistics ≤ 1 s after the load (5 M records, one sample)",
            measured,
            status,
            note: "native engine over the loaded store; the app's panel is not measured in \
                   Chromium yet"
                .into(),
        });
    }
}
