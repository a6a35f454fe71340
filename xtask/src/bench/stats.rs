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

    /// The QC panel's budget line: the panel in Chromium with the app's worker pool (its
    /// default), the one-worker figure beside it; the native in-process figure only when the
    /// browser was not measured, and then the note says so.
    pub(super) fn stats_budget(&mut self, s: &StatsResults, app: Option<&super::browser::Browser>) {
        let panel = app.and_then(|b| Some((b.pool.qc_s?, b.pool.workers, b.one.qc_s)));
        let (measured, status, note) = match (panel, &s.in_process) {
            (Some((pool, workers, one)), _) => (
                format!(
                    "app (Chromium): {} with {workers} workers{}",
                    seconds(pool),
                    one.map(|t| format!(", {} with 1 worker", seconds(t)))
                        .unwrap_or_default()
                ),
                if pool <= QC_BUDGET_S {
                    Status::Met
                } else {
                    Status::NotMet
                },
                "from the click that opens the panel to every record counted on the page".into(),
            ),
            (None, Ok(p)) => (
                format!(
                    "native engine, in-process: {} for every section and the QC beyond them",
                    seconds(p.total_s)
                ),
                if p.total_s <= QC_BUDGET_S {
                    Status::Met
                } else {
                    Status::NotMet
                },
                "native engine over the loaded store: the app's panel was not measured in this run"
                    .into(),
            ),
            (None, Err(e)) => (format!("failed: {e}"), Status::NotMeasured, String::new()),
        };
        self.budgets.push(Budget {
            budget: "the QC panel's statistics ≤ 1 s after the load (5 M records, one sample)",
            measured,
            status,
            note,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::browser::{Browser, Loaded};
    use super::super::{Missing, Options, Report};
    use super::*;

    fn results(native: Option<f64>) -> StatsResults {
        StatsResults {
            bcftools: Err(Missing::Skipped("test")),
            enclave: Err(Missing::Skipped("test")),
            in_process: native
                .map(|total_s| InProcess {
                    sections_s: total_s / 2.0,
                    qc_s: total_s / 2.0,
                    total_s,
                    records: 5,
                })
                .ok_or_else(|| "no run".to_string()),
        }
    }

    fn budget(s: &StatsResults, app: Option<&Browser>) -> (String, String, String) {
        let mut report = Report::new(&Options {
            records: 1,
            runs: 1,
            app: true,
        });
        report.stats_budget(s, app);
        let b = report.budgets.pop().unwrap();
        let status = Report::status_text(&b);
        (b.measured, status, b.note)
    }

    #[test]
    fn the_qc_budget_judges_the_panel_in_chromium_and_native_only_without_it() {
        let browser = |pool: f64, one: f64| Browser {
            pool: Loaded {
                workers: 2,
                qc_s: Some(pool),
                ..Loaded::default()
            },
            one: Loaded {
                workers: 1,
                qc_s: Some(one),
                ..Loaded::default()
            },
            ..Browser::default()
        };
        // The pool's panel decides, whatever the native figure says.
        let (measured, status, note) = budget(&results(Some(0.5)), Some(&browser(1.128, 1.953)));
        assert!(
            measured.contains("app (Chromium)") && measured.contains("2 workers"),
            "{measured}"
        );
        assert!(measured.contains("1 worker"), "{measured}");
        assert!(status.contains("NOT MET"), "{status}");
        assert!(note.contains("click"), "{note}");
        let (_, status, _) = budget(&results(Some(2.0)), Some(&browser(0.9, 1.5)));
        assert!(!status.contains("NOT"), "{status}");
        // Without a browser figure: the native one, and the note says the panel was not measured.
        let (measured, status, note) = budget(&results(Some(1.25)), None);
        assert!(measured.starts_with("native engine"), "{measured}");
        assert!(status.contains("NOT MET"), "{status}");
        assert!(note.contains("not measured"), "{note}");
        let (_, status, _) = budget(&results(None), None);
        assert!(status.contains("not measured"), "{status}");
    }
}
