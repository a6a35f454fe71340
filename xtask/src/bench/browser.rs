//! The app in headless Chromium, for `cargo xtask bench`: builds the release bundle
//! ([`crate::build::run`]), measures its gzip size ([`crate::build::bundle_sizes`]), then runs
//! `e2e/bench-app.mjs` (the real server, Debian's Chromium through playwright-core) over
//! `genome.1s.vcf.gz` and its index, and reads the JSON it prints: ingest with one worker and
//! with a pool, store bytes, the QC panel's statistics, filter and re-filter, a region on the
//! loaded store, and the indexed
//! region query in streaming mode. The script stops each clock when the page shows the
//! reference's count, so every figure here is of an answer that agreed with it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{FILTER, FILTER_EDITED, Missing, REGION, json_number, json_raw};
use crate::build::{self, BundleSizes, Profile};
use crate::util;

/// The counts the app must show, and whose they are.
pub struct Expected {
    pub records: u64,
    pub filtered: u64,
    pub region: u64,
    /// "bcftools", or "the enclave CLI" when bcftools is not installed.
    pub source: &'static str,
}

/// One configuration of the loaded store (`?workers=W`): the best of the runs for each time.
#[derive(Default)]
pub struct Loaded {
    /// Workers asked for (`?workers=`).
    pub requested: u64,
    /// Workers the load used (`workers` on the page): one when the file is too small to split.
    pub workers: u64,
    /// From picking the file to the full count on the page.
    pub ingest_s: f64,
    /// The app's own load time (`load-time`).
    pub load_s: f64,
    /// Uncompressed bytes of the file as the page shows them (`text-bytes`).
    pub text_bytes: u64,
    pub store_bytes: u64,
    pub variants: u64,
    /// REGION typed in the region box, to the filtered count.
    pub region_s: f64,
    /// FILTER, every clause evaluated: the page's time and the worker's (`filter-time`).
    pub filter_s: f64,
    pub filter_worker_s: f64,
    /// [`FILTER_EDITED`] after FILTER: the other clauses from the worker's cache.
    pub refilter_s: f64,
    pub refilter_worker_s: f64,
    /// Records passing FILTER and FILTER_EDITED, and in REGION, as the page showed them.
    pub filtered: u64,
    pub refiltered: u64,
    pub region_count: u64,
    /// The QC panel opened after the load, to its statistics on screen; the slowest worker's
    /// time; the records it counted. `None` from a script without the step.
    pub qc_s: Option<f64>,
    pub qc_worker_s: Option<f64>,
    pub qc_records: Option<u64>,
}

impl Loaded {
    /// Megabytes per second of `text_bytes` (the file's plain text, as `enclave-bench prepare`
    /// wrote it), from picking the file to the full count.
    pub fn text_mb_s(&self, text_bytes: u64) -> f64 {
        text_bytes as f64 / 1e6 / self.ingest_s
    }

    pub fn per_variant(&self) -> Option<f64> {
        (self.variants > 0).then(|| self.store_bytes as f64 / self.variants as f64)
    }
}

/// The indexed region query in streaming mode (`?memory-budget=1`).
#[derive(Default)]
pub struct Streaming {
    pub region_s: f64,
    pub region_worker_s: f64,
    pub region_count: u64,
    pub region_bytes: u64,
}

#[derive(Default)]
pub struct Browser {
    /// Chromium's version, as Playwright reports it.
    pub version: String,
    /// The 1-minute load average when the browser run started (`/proc/loadavg`).
    pub load_average: Option<String>,
    pub one: Loaded,
    pub pool: Loaded,
    pub streaming: Streaming,
}

/// Everything the browser rows show.
pub struct AppFigures {
    pub browser: Result<Browser, Missing>,
    pub bundle: Result<BundleSizes, String>,
    pub expected: Option<Expected>,
}

/// Where the app is measured.
pub struct App<'a> {
    pub root: &'a Path,
    pub data: PathBuf,
    pub runs: u32,
}

impl App<'_> {
    /// Builds the app and measures its bundle, then runs the browser, if Chromium and
    /// playwright-core are there.
    pub fn measure(&self, expected: Option<Expected>) -> AppFigures {
        let bundle = build::run(self.root, Profile::Release)
            .and_then(|()| build::bundle_sizes(&self.root.join("dist")))
            .map_err(|e| e.to_string());
        let chromium = std::env::var_os("ENCLAVE_CHROMIUM")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/usr/bin/chromium".into());
        let playwright = self.root.join("e2e/node_modules/playwright-core");
        let browser = if !chromium.is_file() {
            Err(Missing::NotInstalled("Chromium"))
        } else if !playwright.is_dir() {
            Err(Missing::NotInstalled("playwright-core"))
        } else {
            match (&bundle, &expected) {
                (Err(e), _) => Err(Missing::Failed(format!("build: {e}"))),
                (Ok(_), None) => Err(Missing::Failed(
                    "no reference counts to check the app against".into(),
                )),
                (Ok(_), Some(expected)) => self.run_script(expected),
            }
        };
        AppFigures {
            browser,
            bundle,
            expected,
        }
    }

    /// Runs `e2e/bench-app.mjs`, its progress shown as it comes, and parses what it prints.
    fn run_script(&self, expected: &Expected) -> Result<Browser, Missing> {
        let index = ["csi", "tbi"]
            .iter()
            .map(|ext| PathBuf::from(format!("{}.{ext}", self.data.display())))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                Missing::Failed(format!(
                    "{} has no .csi or .tbi (bcftools index)",
                    self.data.display()
                ))
            })?;
        let script = self.root.join("e2e/bench-app.mjs");
        let load_average = super::load_average();
        let mut command = Command::new("node");
        command
            .arg(&script)
            .arg("--data")
            .arg(&self.data)
            .arg("--index")
            .arg(&index)
            .args(["--records", &expected.records.to_string()])
            .args(["--filter", FILTER, "--edited-filter", FILTER_EDITED])
            .args(["--filter-count", &expected.filtered.to_string()])
            .args(["--region", REGION])
            .args(["--region-count", &expected.region.to_string()])
            .args(["--runs", &self.runs.to_string()])
            .current_dir(self.root)
            .env(
                "ENCLAVE_SERVER_BIN",
                util::target_dir(self.root).join("release/enclave-server"),
            )
            .env("ENCLAVE_DIST", self.root.join("dist"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        println!("$ node {} …", script.display());
        let failed = |e: std::io::Error| Missing::Failed(format!("node e2e/bench-app.mjs: {e}"));
        let mut child = command.spawn().map_err(failed)?;
        let stderr = child.stderr.take();
        // Progress lines pass through; the last one names a failure.
        let progress = std::thread::spawn(move || {
            let mut last = String::new();
            if let Some(stderr) = stderr {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("{line}");
                    if !line.trim().is_empty() {
                        last = line;
                    }
                }
            }
            last
        });
        let mut json = String::new();
        if let Some(mut stdout) = child.stdout.take() {
            stdout.read_to_string(&mut json).map_err(failed)?;
        }
        let status = child.wait().map_err(failed)?;
        let last = progress.join().unwrap_or_default();
        if !status.success() {
            // The error's first line: "bench-app: Error: filter …: filtered-count shows …".
            let reason = last
                .trim_start_matches("bench-app: ")
                .trim_start_matches("Error: ");
            return Err(Missing::Failed(format!("browser run ({status}): {reason}")));
        }
        let mut browser = parse(&json).ok_or_else(|| {
            Missing::Failed("e2e/bench-app.mjs printed no complete JSON result".into())
        })?;
        browser.load_average = load_average;
        Ok(browser)
    }
}

/// The script's JSON: sections `meta`, `one`, `pool`, `streaming` of numbers.
fn parse(json: &str) -> Option<Browser> {
    let float = |section: &str, key: &str| json_raw(json, section, key)?.parse::<f64>().ok();
    let seconds = |section: &str, key: &str| float(section, key).map(|ms| ms / 1e3);
    let count = |section: &str, key: &str| json_number(json, section, key);
    let loaded = |s: &str| {
        Some(Loaded {
            requested: count(s, "requested")?,
            workers: count(s, "workers")?,
            ingest_s: seconds(s, "ingest_ms")?,
            load_s: seconds(s, "load_ms")?,
            text_bytes: count(s, "text_bytes")?,
            store_bytes: count(s, "store_bytes")?,
            variants: count(s, "variants")?,
            region_s: seconds(s, "region_ms")?,
            filter_s: seconds(s, "filter_ms")?,
            filter_worker_s: seconds(s, "filter_worker_ms")?,
            refilter_s: seconds(s, "refilter_ms")?,
            refilter_worker_s: seconds(s, "refilter_worker_ms")?,
            filtered: count(s, "filtered")?,
            refiltered: count(s, "refiltered")?,
            region_count: count(s, "region_count")?,
            qc_s: seconds(s, "qc_ms"),
            qc_worker_s: seconds(s, "qc_worker_ms"),
            qc_records: count(s, "qc_records"),
        })
    };
    Some(Browser {
        version: json_raw(json, "meta", "browser")?.to_string(),
        load_average: None,
        one: loaded("one")?,
        pool: loaded("pool")?,
        streaming: Streaming {
            region_s: seconds("streaming", "region_ms")?,
            region_worker_s: seconds("streaming", "region_worker_ms")?,
            region_count: count("streaming", "region_count")?,
            region_bytes: count("streaming", "region_bytes")?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_the_scripts_json() {
        let loaded = |workers: u32| {
            format!(
                r#"{{ "requested": {workers}, "ingest_ms": 1500.25, "load_ms": 1400.5,
  "text_bytes": 220000000, "file_bytes": 44000000, "store_bytes": 100000000, "workers": {workers},
  "variants": 1000000, "region_ms": 4.5, "region_count": 318, "filter_ms": 60.1,
  "filter_worker_ms": 55.02, "filtered": 512345, "refilter_ms": 12, "refilter_worker_ms": 9.5,
  "refiltered": 512345, "qc_ms": 812.5, "qc_worker_ms": 790.25, "qc_records": 1000000 }}"#
            )
        };
        let json = format!(
            r#"{{ "meta": {{ "browser": "139.0.7258.154", "runs": 1, "pool": 2 }},
  "one": {}, "pool": {},
  "streaming": {{ "open_ms": 300, "region_ms": 21.5, "region_count": 318,
    "region_bytes": 131072, "region_worker_ms": 18.3 }} }}"#,
            loaded(1),
            loaded(2)
        );
        let b = parse(&json).expect("parsed");
        assert_eq!(b.version, "139.0.7258.154");
        assert_eq!((b.one.workers, b.pool.workers), (1, 2));
        assert!((b.one.ingest_s - 1.50025).abs() < 1e-9);
        assert!((b.one.text_mb_s(220_000_000) - 220.0 / 1.50025).abs() < 1e-9);
        assert_eq!(b.pool.per_variant(), Some(100.0));
        assert_eq!(
            (b.one.qc_s, b.one.qc_records),
            (Some(0.8125), Some(1_000_000))
        );
        assert!((b.streaming.region_s - 0.0215).abs() < 1e-12);
        assert_eq!(b.streaming.region_bytes, 131_072);
        assert!(parse(r#"{ "meta": { "browser": "1" } }"#).is_none());
    }
}
