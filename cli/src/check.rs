//! `enclave check [--ped FILE.ped] [--json] FILE`: the pedigree check (CLINICAL.md §4,
//! `wasm_core::pedigree_check`) — sex from chrX, relatedness of every pair, and what
//! contradicts the PED.
//!
//! Prints a sex table, a pair table, the warnings and the notices (or with `--json` the
//! engine's `PedigreeCheck` as JSON, what the app plots). Warnings are findings, not failures:
//! the exit status is 0 with warnings and non-zero only when FILE or the PED cannot be read.

use std::io::{self, BufWriter, Write};

use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{self, CheckParams, Declared, PedigreeCheck};

use crate::keys::KeyArgs;

pub fn check(args: &[String]) -> Result<(), String> {
    let mut json = false;
    let mut ped = None;
    let mut file = None;
    let mut keys = KeyArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--ped" => {
                let value = it.next().ok_or("--ped needs a PED file")?;
                if ped.replace(value.clone()).is_some() {
                    return Err("--ped was given twice".into());
                }
            }
            other if keys.option(other, &mut it)? => {}
            f if !f.starts_with('-') || f == "-" => crate::set_file(&mut file, f)?,
            other => return Err(format!("check: unknown option {other:?}\n{}", crate::USAGE)),
        }
    }
    keys.check()?;
    let path = file.ok_or("check: no FILE given")?;
    let declared = ped.as_deref().map(read_ped).transpose()?;
    let ds = crate::open(&path, &keys)?;
    let result = pedigree_check::check(&ds, declared.as_ref(), &CheckParams::default());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let r = if json {
        serde_json::to_writer_pretty(&mut out, &result)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        write_report(&mut out, &result)
    };
    crate::write_result(r.and_then(|()| out.flush()))
}

/// Reads a PED file into the check's input through the pedigree's one reader (CLINICAL.md §1),
/// so `check` and `view --ped` refuse a bad PED (too few columns, a cycle, an individual twice,
/// CR-only line ends) in the same words. The check compares the sex as written.
fn read_ped(path: &str) -> Result<Declared, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let pedigree = Pedigree::parse(&bytes).map_err(|e| format!("{path}: {}", e.report()))?;
    Ok(Declared::from_pedigree(&pedigree))
}

fn ratio(x: Option<f64>) -> String {
    x.map_or(".".into(), |v| format!("{v:.4}"))
}

fn write_report(out: &mut impl Write, r: &PedigreeCheck) -> io::Result<()> {
    let build = r
        .build
        .map_or("unknown build".to_string(), |b| format!("{b:?}"));
    writeln!(
        out,
        "# sex: chrX outside the PARs ({build}), {} sites; chrY {} sites; depth from {}",
        r.x_sites, r.y_sites, r.depth_source
    )?;
    writeln!(
        out,
        "SAMPLE\tPED_SEX\tPREDICTED\tHOM_REF\tHET\tHOM_ALT\tHET_RATIO\tY_CALLED\tY_ALT\tCHECK"
    )?;
    for s in &r.sex {
        let declared = s
            .declared
            .map_or("not-in-ped".to_string(), |d| d.to_string());
        writeln!(
            out,
            "{}\t{declared}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.sample,
            s.predicted,
            s.hom_ref,
            s.het,
            s.hom_alt,
            ratio(s.het_ratio),
            s.y_called,
            s.y_alt,
            if s.mismatch { "MISMATCH" } else { "ok" }
        )?;
    }
    let step = if r.relatedness_step > 1 {
        format!(" (every {}th)", r.relatedness_step)
    } else {
        String::new()
    };
    writeln!(
        out,
        "# relatedness: {} autosomal SNV sites{step}",
        r.relatedness_sites
    )?;
    writeln!(
        out,
        "SAMPLE_A\tSAMPLE_B\tRELATEDNESS\tIBS0\tIBS2\tN\tPED_RELATION\tEXPECTED\tPREDICTED\tCHECK"
    )?;
    for p in &r.pairs {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.samples[p.a as usize],
            r.samples[p.b as usize],
            ratio(p.relatedness),
            p.ibs0,
            p.ibs2,
            p.n,
            p.expected.label().replace(' ', "-"),
            ratio(p.expected_relatedness),
            p.predicted.label().replace(' ', "-"),
            if p.flagged { "FLAGGED" } else { "ok" }
        )?;
    }
    writeln!(out, "# warnings: {}", r.warnings.len())?;
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    for n in &r.notices {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}
