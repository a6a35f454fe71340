//! Running a [`Plan`] through the engine: read the input with `read_dataset`, compile the
//! expression with `Filter::compile`, and write what bcftools would print — `query -f` through
//! `export::query`, VCF lines through `export::write_vcf_record`, `filter`'s soft filters and
//! `-S` genotypes as bcftools' `vcffilter.c` applies them.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use wasm_core::export::query::{self, QueryFormat};
use wasm_core::filter::{FileSource, Filter, Mode, RecordResult};
use wasm_core::progress::Silent;
use wasm_core::regions::RegionSet;
use wasm_core::store::VariantStore;
use wasm_core::{export, read_dataset};

use super::Case;
use super::command::{Expression, FilterOpts, FirstStage, Plan, QueryOpts, SetGts, ViewOpts};

/// `@file` names resolve beside the inputs (`{PATH}` in bcftools' test.pl).
pub(crate) struct DirFiles(pub(crate) PathBuf);

impl FileSource for DirFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        fs::read_to_string(self.0.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
    }
}

pub(crate) fn compile(
    e: &Expression,
    store: &VariantStore,
    files: &DirFiles,
) -> Result<Filter, String> {
    Filter::compile(&e.text, store, e.mode, files).map_err(|err| {
        let mut m = format!("expression rejected: {}", err.message);
        if let Some(h) = err.hint {
            let _ = write!(m, " (hint: {h})");
        }
        m
    })
}

fn load(bytes: Vec<u8>) -> Result<VariantStore, String> {
    let size = bytes.len() as u64;
    read_dataset(std::io::Cursor::new(bytes), Some(size), &mut Silent)
        .map(|d| d.store)
        .map_err(|e| format!("enclave cannot read the input: {e}"))
}

fn run_query(store: &VariantStore, q: &QueryOpts, files: &DirFiles) -> Result<Vec<u8>, String> {
    let text = q.format.as_deref().expect("checked when planning");
    let format = QueryFormat::parse(text).map_err(|e| format!("query format: {}", e.message))?;
    format
        .check(store)
        .map_err(|e| format!("query format: {}", e.message))?;
    let filter = q
        .filter
        .as_ref()
        .map(|e| compile(e, store, files))
        .transpose()?;
    // `-s a,b,c`: those samples, in that order.
    let order: Vec<usize> = match &q.samples {
        None => (0..store.samples().len()).collect(),
        Some(names) => names
            .iter()
            .map(|n| {
                store
                    .samples()
                    .iter()
                    .position(|s| s == n)
                    .ok_or_else(|| format!("no sample {n}"))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut out = Vec::new();
    for i in 0..store.len() {
        let selected: Vec<usize> = match &filter {
            None => order.clone(),
            Some(f) => {
                let r = f.evaluate_record(store, i);
                // The filter sees the chosen samples only (bcftools subsets the header).
                let sub = RecordResult {
                    keep: r.keep
                        && (!r.per_sample
                            || f.mode() == Mode::Exclude
                            || order.iter().any(|&s| r.samples.get(s) == Some(&true))),
                    per_sample: r.per_sample,
                    samples: order
                        .iter()
                        .map(|&s| r.samples.get(s).copied().unwrap_or(false))
                        .collect(),
                };
                let Some(mask) = query::select(&sub, f.mode()) else {
                    continue;
                };
                order
                    .iter()
                    .zip(mask)
                    .filter(|(_, m)| *m)
                    .map(|(&s, _)| s)
                    .collect()
            }
        };
        format.render_samples(store, i, &selected, &mut out);
    }
    Ok(out)
}

fn vcf_line(store: &VariantStore, i: usize) -> String {
    let mut line = Vec::new();
    export::write_vcf_record(&mut line, store, i).expect("writing to memory");
    String::from_utf8_lossy(&line).into_owned()
}

fn region_mask(text: &str, store: &VariantStore) -> Result<wasm_core::bitmap::Bitmap, String> {
    RegionSet::parse(text)
        .map(|r| r.mask(store))
        .map_err(|e| format!("regions {text:?} rejected: {e}"))
}

fn run_view(store: &VariantStore, v: &ViewOpts, files: &DirFiles) -> Result<Vec<String>, String> {
    let filter = v
        .filter
        .as_ref()
        .map(|e| compile(e, store, files))
        .transpose()?;
    let mut keep = match &filter {
        Some(f) => f.evaluate(store).pass,
        None => wasm_core::bitmap::Bitmap::ones(store.len()),
    };
    if let Some(r) = &v.regions {
        keep.and_with(&region_mask(r, store)?);
    }
    Ok(keep.iter_ones().map(|i| vcf_line(store, i)).collect())
}

/// `bcf_add_filter`: PASS replaces everything; another name replaces a lone PASS, else is
/// appended once.
fn add_filter(filters: &mut Vec<String>, name: &str) {
    if filters.iter().any(|f| f == name) {
        return;
    }
    if name == "PASS" || filters.as_slice() == ["PASS"] {
        filters.clear();
    }
    filters.push(name.to_string());
}

/// `-S .|0` on one VCF line (`vcffilter.c` `set_genotypes`): the failing samples' genotypes
/// become missing (or reference), and INFO/AN, INFO/AC follow.
fn set_genotypes(
    cols: &mut [String],
    how: SetGts,
    result: Option<&RecordResult>,
    mode: Mode,
    pass_site: bool,
) {
    if cols.len() <= 9 {
        return;
    }
    let n_samples = cols.len() - 9;
    let per_sample = result.filter(|r| r.per_sample);
    match per_sample {
        Some(r) => {
            let npass = r.samples.iter().filter(|&&m| m).count();
            if (npass == n_samples && mode == Mode::Include)
                || (npass == 0 && mode == Mode::Exclude)
            {
                return;
            }
        }
        None if pass_site => return,
        None => {}
    }
    let n_alt = if cols[4] == "." {
        0
    } else {
        cols[4].split(',').count()
    };
    let mut info: Vec<(String, Option<String>)> = if cols[7] == "." {
        Vec::new()
    } else {
        cols[7]
            .split(';')
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (e.to_string(), None),
            })
            .collect()
    };
    let int_list = |key: &str| -> Option<Vec<i64>> {
        let v = info.iter().find(|(k, _)| k == key)?.1.as_ref()?;
        v.split(',').map(|x| x.parse::<i64>().ok()).collect()
    };
    let mut an = int_list("AN").filter(|v| v.len() == 1).map(|v| v[0]);
    let mut ac = int_list("AC").filter(|v| v.len() == n_alt);
    let gt_index = cols[8].split(':').position(|k| k == "GT");
    if let Some(gi) = gt_index {
        for s in 0..n_samples {
            if let Some(r) = per_sample {
                let mut p = r.samples.get(s).copied().unwrap_or(false);
                if mode == Mode::Exclude {
                    p = !p;
                }
                if p {
                    continue;
                }
            }
            let mut parts: Vec<String> = cols[9 + s].split(':').map(str::to_string).collect();
            let Some(gt) = parts.get_mut(gi) else {
                continue;
            };
            let alleles: Vec<Option<usize>> = gt
                .split(['/', '|'])
                .map(|a| a.parse::<usize>().ok())
                .collect();
            for a in &alleles {
                match (how, a) {
                    (SetGts::Missing, Some(ial)) | (SetGts::Ref, Some(ial)) => {
                        if let Some(ac) = ac.as_mut()
                            && *ial > 0
                            && *ial <= n_alt
                        {
                            ac[ial - 1] -= 1;
                        }
                        if how == SetGts::Missing
                            && let Some(an) = an.as_mut()
                        {
                            *an -= 1;
                        }
                    }
                    (SetGts::Ref, None) => {
                        if let Some(an) = an.as_mut() {
                            *an += 1;
                        }
                    }
                    (SetGts::Missing, None) => {}
                }
            }
            let new = if how == SetGts::Missing { "." } else { "0" };
            *gt = vec![new; alleles.len()].join("/");
            cols[9 + s] = parts.join(":");
        }
    }
    for (k, v) in &mut info {
        if k == "AN"
            && let Some(an) = an
        {
            *v = Some(an.to_string());
        }
        if k == "AC"
            && let Some(ac) = &ac
        {
            *v = Some(ac.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
        }
    }
    if !info.is_empty() {
        cols[7] = info
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            })
            .collect::<Vec<_>>()
            .join(";");
    }
}

/// `bcftools filter` (`vcffilter.c`): which records are written, with which FILTER and GTs.
fn run_filter(
    store: &VariantStore,
    f: &FilterOpts,
    files: &DirFiles,
) -> Result<Vec<String>, String> {
    let filter = f
        .filter
        .as_ref()
        .map(|e| compile(e, store, files))
        .transpose()?;
    let mask = f
        .mask
        .as_ref()
        .map(|(r, negate)| region_mask(r, store).map(|m| (m, *negate)))
        .transpose()?;
    let mut lines = Vec::new();
    for i in 0..store.len() {
        let result = filter.as_ref().map(|flt| flt.evaluate_record(store, i));
        let mut pass = result.as_ref().is_none_or(|r| r.keep);
        if let Some((m, negate)) = &mask {
            let inside = m.get(i);
            pass &= if *negate { inside } else { !inside };
        }
        if !(f.soft_filter.is_some() || f.set_gts.is_some() || pass) {
            continue;
        }
        let mut cols: Vec<String> = vcf_line(store, i).split('\t').map(str::to_string).collect();
        let mut filters: Vec<String> = if cols[6] == "." {
            Vec::new()
        } else {
            cols[6].split(';').map(str::to_string).collect()
        };
        if pass {
            if f.reset || filters.is_empty() {
                add_filter(&mut filters, "PASS");
            }
        } else if let Some(name) = &f.soft_filter {
            if f.add {
                add_filter(&mut filters, name);
            } else {
                filters = vec![name.clone()];
            }
        }
        cols[6] = if filters.is_empty() {
            ".".into()
        } else {
            filters.join(";")
        };
        if let Some(how) = f.set_gts {
            let mode = filter.as_ref().map_or(Mode::Include, Filter::mode);
            set_genotypes(&mut cols, how, result.as_ref(), mode, pass);
        }
        lines.push(cols.join("\t"));
    }
    Ok(lines)
}

/// The input's header, with a `##FILTER` line for a soft-filter name it lacks.
fn header_for(input: &str, soft_filter: Option<&str>) -> String {
    let mut out = String::new();
    for line in input.lines().filter(|l| l.starts_with('#')) {
        if line.starts_with("#CHROM")
            && let Some(name) = soft_filter
            && !input.contains(&format!("##FILTER=<ID={name},"))
        {
            let _ = writeln!(out, "##FILTER=<ID={name},Description=\"Set by filter\">");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// What a case produced.
pub(crate) enum Output {
    Text(Vec<u8>),
    Vcf(Vec<String>),
}

pub(crate) fn run_plan(root: &Path, case: &Case, plan: &Plan) -> Result<Output, String> {
    let input_path = root.join(&case.input);
    let bytes = fs::read(&input_path).map_err(|e| format!("cannot read {}: {e}", case.input))?;
    let files = DirFiles(
        input_path
            .parent()
            .expect("inputs sit in a folder")
            .to_path_buf(),
    );
    let store = load(bytes.clone())?;
    let lines = match &plan.first {
        FirstStage::Query(q) => return run_query(&store, q, &files).map(Output::Text),
        FirstStage::View(v) => run_view(&store, v, &files)?,
        FirstStage::Filter(f) => run_filter(&store, f, &files)?,
    };
    let Some(q) = &plan.then else {
        return Ok(Output::Vcf(lines));
    };
    // The piped query reads the first stage's VCF, as bcftools does.
    let soft = match &plan.first {
        FirstStage::Filter(f) => f.soft_filter.as_deref(),
        _ => None,
    };
    let mut vcf = header_for(&String::from_utf8_lossy(&bytes), soft);
    for l in &lines {
        vcf.push_str(l);
        vcf.push('\n');
    }
    let store = load(vcf.into_bytes()).map_err(|e| format!("re-reading the output: {e}"))?;
    run_query(&store, q, &files).map(Output::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_filters_follow_htslib() {
        let mut f = vec!["PASS".to_string()];
        add_filter(&mut f, "XX");
        assert_eq!(f, ["XX"]);
        add_filter(&mut f, "YY");
        add_filter(&mut f, "XX");
        assert_eq!(f, ["XX", "YY"]);
        add_filter(&mut f, "PASS");
        assert_eq!(f, ["PASS"]);
    }

    #[test]
    fn set_gts_updates_an_and_ac() {
        let mut cols: Vec<String> = "1\t5\t.\tC\tT,A\t9\tPASS\tAN=4;AC=2,2\tGT:DP\t1/2:10\t1/2:20"
            .split('\t')
            .map(str::to_string)
            .collect();
        let r = RecordResult {
            keep: false,
            per_sample: true,
            samples: vec![true, false],
        };
        set_genotypes(&mut cols, SetGts::Missing, Some(&r), Mode::Exclude, false);
        assert_eq!(cols[7], "AN=2;AC=1,1");
        assert_eq!(cols[9], "./.:10");
        assert_eq!(cols[10], "1/2:20");
    }
}
