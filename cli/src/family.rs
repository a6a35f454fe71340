//! Family analysis on the command line (DESIGN.md's CLI contract, CLINICAL.md §2):
//!
//! ```text
//! enclave view --ped FILE.ped --mode MODE [--mode MODE …] [--no-gates] [--lenient]
//!              [--build GRCh37|GRCh38] [-i EXPR | -e EXPR] [-r REGION] [--key KEY …]
//!              [-f tsv|vcf] FILE
//! enclave explain --ped FILE.ped [--mode MODE …] [--no-gates] [--lenient] [--build B]
//!                 -r CHR:POS [--json] [--key KEY …] FILE
//! ```
//!
//! `view --ped` keeps the records that fit any named mode in some family (or are "possible"
//! under `--lenient`, or as an unphased compound het); `-f vcf` writes a header and adds
//! `INFO/INHERITANCE` naming the modes and families. `explain` prints, per mode and family,
//! "fits" or the reasons a record does not (`--json`: the engine's explanations with their
//! reason codes). Modes read the whole file: `comp-het` pairs span records, so `--ped` always
//! takes the whole-store path (`-r` then only masks what is printed).

use std::io::{self, BufWriter, Write};

use wasm_core::filter::{Filter, Mode as FilterMode};
use wasm_core::inheritance::{
    Analysis, Build, Gates, InheritanceErrorKind, Mode, Options, Selection,
};
use wasm_core::pedigree::Pedigree;
use wasm_core::store::VariantStore;
use wasm_core::{Dataset, export};

use crate::files::WorkingDirFiles;
use crate::keys::KeyArgs;
use crate::regions::RegionArgs;

pub const USAGE: &str =
    "  enclave view --ped FILE.ped --mode MODE [--mode MODE ...] [--no-gates] [--lenient]
               [--build GRCh37|GRCh38] [-i EXPR | -e EXPR] [-r REGION] [-f tsv|vcf] FILE
                     records that fit any MODE in some family of the pedigree; -f vcf adds
                     INFO/INHERITANCE=MODE:FAMILY,... (FAMILY? when only possible)
  enclave explain --ped FILE.ped [--mode MODE ...] [--no-gates] [--lenient] [--build B]
                  -r CHR:POS [--json] FILE
                     per mode and family: fits, or why not (every mode when none is named)

  MODE      de-novo, dominant, recessive, comp-het, x-recessive, x-dominant, x-de-novo,
            mendel-error (docs/INHERITANCE.md)
  --no-gates
            turn every quality gate off (default: GQ >= 20, DP >= 10, het allele balance
            0.2-0.8, hom-ref <= 0.2, hom-alt >= 0.8, < 2 alternate reads in a de novo's parents)
  --lenient keep records whose only doubt is a missing genotype (marked possible)
  --build B the build whose pseudo-autosomal regions apply, when the header names none";

/// Whether `view`'s arguments ask for family analysis.
pub fn wanted(args: &[String]) -> bool {
    args.iter().any(|a| a == "--ped")
}

/// What `view --ped` and `explain` share.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) ped: Option<String>,
    pub(crate) modes: Vec<Mode>,
    no_gates: bool,
    lenient: bool,
    build: Option<Build>,
    pub(crate) file: Option<String>,
    pub(crate) keys: KeyArgs,
    regions: RegionArgs,
}

impl Args {
    /// Takes one of the shared options; `Ok(false)` for others.
    pub(crate) fn option(
        &mut self,
        a: &str,
        it: &mut std::slice::Iter<'_, String>,
    ) -> Result<bool, String> {
        if self.keys.option(a, it)? || self.regions.option(a, it)? {
            return Ok(true);
        }
        match a {
            "--ped" => self.ped = Some(crate::value(it, a, "a PED file")?.clone()),
            "--mode" => {
                let name = crate::value(it, a, "a mode")?;
                for part in name.split(',') {
                    let mode = Mode::from_name(part).ok_or_else(|| {
                        format!(
                            "unknown mode {part:?}: one of {}",
                            Mode::ALL.map(|m| m.name()).join(", ")
                        )
                    })?;
                    if !self.modes.contains(&mode) {
                        self.modes.push(mode);
                    }
                }
            }
            "--no-gates" => self.no_gates = true,
            "--lenient" => self.lenient = true,
            "--build" => {
                let name = crate::value(it, a, "GRCh37 or GRCh38")?;
                self.build = Some(
                    Build::from_name(name)
                        .ok_or_else(|| format!("unknown build {name:?}: GRCh37 or GRCh38"))?,
                );
            }
            f if !f.starts_with('-') || f == "-" => crate::set_file(&mut self.file, f)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Reads FILE whole and the PED, prints the pedigree's notices, and starts the analysis.
    pub(crate) fn analysis(&self, command: &str) -> Result<(Dataset, Analysis), String> {
        self.keys.check()?;
        let ped_path = self
            .ped
            .as_ref()
            .ok_or_else(|| format!("{command}: --ped FILE.ped is needed"))?;
        let path = self
            .file
            .as_ref()
            .ok_or_else(|| format!("{command}: no FILE given"))?;
        let text = std::fs::read(ped_path).map_err(|e| format!("cannot read {ped_path}: {e}"))?;
        let pedigree = Pedigree::parse(&text).map_err(|e| format!("{ped_path}: {}", e.report()))?;
        let ds = crate::open(path, &self.keys)?;
        let build = self.build.or_else(|| Build::of_summary(&ds.summary));
        let options = Options {
            gates: if self.no_gates {
                Gates::off()
            } else {
                Gates::default()
            },
            lenient: self.lenient,
            build,
        };
        let analysis =
            Analysis::new(&ds.store, &pedigree, options).map_err(|e| match e.kind() {
                InheritanceErrorKind::NoBuild => format!("{path}: {} with --build", e.report()),
                InheritanceErrorKind::Pedigree(_) => format!("{ped_path}: {}", e.report()),
            })?;
        Ok((ds, analysis))
    }
}

/// The analysis' notices, on standard error (once the command is sure to succeed).
pub(crate) fn notes(analysis: &Analysis) {
    for notice in analysis.notices() {
        eprintln!("enclave: note: {notice}");
    }
}

/// `enclave view --ped …`.
pub fn view(args: &[String]) -> Result<(), String> {
    let mut a = Args::default();
    let mut format = "tsv".to_string();
    let mut filter: Option<(String, FilterMode)> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-f" | "--format" => format = crate::value(&mut it, arg, "tsv or vcf")?.clone(),
            "-i" | "--include" | "-e" | "--exclude" => {
                let expression = crate::value(&mut it, arg, "an expression")?.clone();
                let mode = if arg.starts_with("-i") || arg == "--include" {
                    FilterMode::Include
                } else {
                    FilterMode::Exclude
                };
                if filter.replace((expression, mode)).is_some() {
                    return Err("only one -i or -e expression can be given".into());
                }
            }
            other => {
                if !a.option(other, &mut it)? {
                    return Err(format!("view: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    if !matches!(format.as_str(), "tsv" | "vcf") {
        return Err(format!("view: unknown format {format:?} (tsv or vcf)"));
    }
    if a.modes.is_empty() {
        return Err(format!(
            "view --ped: name at least one --mode ({})",
            Mode::ALL.map(|m| m.name()).join(", ")
        ));
    }
    let regions = a.regions.parsed()?;
    let (ds, analysis) = a.analysis("view")?;
    let store = &ds.store;
    let selection = analysis.select(store, &a.modes);
    let mut keep = selection.kept.clone();
    if let Some((expression, mode)) = &filter {
        let compiled =
            Filter::compile(expression, store, *mode, &WorkingDirFiles).map_err(|e| {
                let flag = if *mode == FilterMode::Include {
                    "-i"
                } else {
                    "-e"
                };
                format!("invalid {flag} expression:\n{}", e.render(expression))
            })?;
        keep.and_with(&compiled.evaluate(store).pass);
    }
    if let Some(set) = &regions {
        keep.and_with(&set.mask(store));
    }
    notes(&analysis);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let r = if format == "tsv" {
        export::write_tsv(&mut out, store, keep.iter_ones())
    } else {
        write_vcf(&mut out, &ds, &selection, &keep)
    };
    crate::write_result(r.and_then(|()| out.flush()))
}

/// A VCF header rebuilt from the store (the engine keeps the declarations, not the header's
/// text), with `INFO/INHERITANCE` declared, then the kept records with the tag.
fn write_vcf<W: Write>(
    out: &mut W,
    ds: &Dataset,
    selection: &Selection,
    keep: &wasm_core::bitmap::Bitmap,
) -> io::Result<()> {
    let store = &ds.store;
    writeln!(out, "##fileformat={}", ds.summary.file_format)?;
    for f in store.filter_names() {
        if f != "PASS" {
            writeln!(out, "##FILTER=<ID={f},Description=\"{f}\">")?;
        }
    }
    for c in &ds.summary.contigs {
        match c.length {
            Some(len) => writeln!(out, "##contig=<ID={},length={len}>", c.name)?,
            None => writeln!(out, "##contig=<ID={}>", c.name)?,
        }
    }
    let ty = |t: wasm_core::store::ValueType| format!("{t:?}");
    for (section, fields) in [("INFO", &store.info), ("FORMAT", &store.format)] {
        for f in fields.iter() {
            writeln!(
                out,
                "##{section}=<ID={},Number={},Type={},Description=\"{}\">",
                f.key,
                f.number,
                ty(f.ty),
                f.description.replace('"', "'")
            )?;
        }
    }
    writeln!(
        out,
        "##INFO=<ID=INHERITANCE,Number=.,Type=String,Description=\"Inheritance modes the \
         record fits, as MODE:FAMILY|FAMILY (FAMILY? where only possible): enclave view --ped\">"
    )?;
    write!(out, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")?;
    if !store.samples().is_empty() {
        write!(out, "\tFORMAT\t{}", store.samples().join("\t"))?;
    }
    writeln!(out)?;
    let mut line = Vec::new();
    for i in keep.iter_ones() {
        line.clear();
        export::write_vcf_record(&mut line, store, i)?;
        let tag = format!("INHERITANCE={}", selection.tag(i));
        // INFO is the eighth column: add the tag to it (replacing `.`).
        let text = String::from_utf8_lossy(&line);
        let mut cols: Vec<&str> = text.split('\t').collect();
        let info = if cols.len() > 7 && cols[7] != "." {
            format!("{};{tag}", cols[7])
        } else {
            tag
        };
        if cols.len() > 7 {
            cols[7] = &info;
        }
        out.write_all(cols.join("\t").as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The records at `CHR:POS` (also found as `chrCHR:POS` / without `chr`).
fn records_at(store: &VariantStore, at: &str) -> Result<Vec<usize>, String> {
    let (chrom, pos) = at
        .rsplit_once(':')
        .and_then(|(c, p)| Some((c, p.replace(',', "").parse::<u64>().ok()?)))
        .ok_or_else(|| format!("explain: -r takes CHR:POS, not {at:?}"))?;
    let other = chrom
        .strip_prefix("chr")
        .map(str::to_string)
        .unwrap_or_else(|| format!("chr{chrom}"));
    let found: Vec<usize> = (0..store.len())
        .filter(|&i| store.pos(i) == pos && (store.chrom(i) == chrom || store.chrom(i) == other))
        .collect();
    if found.is_empty() {
        return Err(format!("explain: no record at {at}"));
    }
    Ok(found)
}

/// `enclave explain …`.
pub fn explain(args: &[String]) -> Result<(), String> {
    let mut a = Args::default();
    let mut json = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => json = true,
            other => {
                if !a.option(other, &mut it)? {
                    return Err(format!("explain: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    let at = a
        .regions
        .regions
        .take()
        .ok_or("explain: -r CHR:POS is needed")?;
    let modes = if a.modes.is_empty() {
        Mode::ALL.to_vec()
    } else {
        a.modes.clone()
    };
    let (ds, analysis) = a.analysis("explain")?;
    let store = &ds.store;
    let records = records_at(store, &at)?;
    notes(&analysis);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let r = (|| -> io::Result<()> {
        if json {
            let all: Vec<_> = records
                .iter()
                .flat_map(|&i| analysis.explain_row(store, i, &modes))
                .collect();
            let value = serde_json::to_string_pretty(&all).map_err(io::Error::other)?;
            return writeln!(out, "{value}");
        }
        for &i in &records {
            let alts = if store.alts(i).is_empty() {
                ".".into()
            } else {
                String::from_utf8_lossy(store.alts(i)).into_owned()
            };
            writeln!(
                out,
                "{}:{} {}>{} (record {})",
                store.chrom(i),
                store.pos(i),
                String::from_utf8_lossy(store.reference(i)),
                alts,
                i + 1
            )?;
            for &m in &modes {
                for e in analysis.explain(store, i, m) {
                    let allele = if e.allele > 1 || store.alt_alleles(i).count() > 1 {
                        format!(" allele {}", e.allele)
                    } else {
                        String::new()
                    };
                    let mut head = format!(
                        "  {:<13} {}{allele}: {}",
                        m.name(),
                        e.family,
                        e.verdict.name()
                    );
                    if let Some(class) = e.mendel {
                        head.push_str(&format!(" ({})", class.name()));
                    }
                    if !e.partners.is_empty() {
                        let partners: Vec<String> = e
                            .partners
                            .iter()
                            .map(|p| format!("{}:{} ({})", p.chrom, p.pos, p.verdict.name()))
                            .collect();
                        head.push_str(&format!(", partners {}", partners.join(", ")));
                    }
                    writeln!(out, "{head}")?;
                    for r in &e.reasons {
                        writeln!(out, "      {} [{}]", r.text, r.code.name())?;
                    }
                    for r in &e.notes {
                        writeln!(out, "      note: {} [{}]", r.text, r.code.name())?;
                    }
                }
            }
        }
        Ok(())
    })();
    crate::write_result(r.and_then(|()| out.flush()))
}
