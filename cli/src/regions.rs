//! `-r REGION` for `view` and `query`: records overlapping the regions, read through the data
//! file's `.csi` / `.tbi` index when there is one (only the blocks it points to are read), and
//! by reading the whole file otherwise, with a note on standard error.
//!
//! The index is `--index FILE` or found beside the data: `FILE.csi`, `FILE.tbi`, and for an
//! encrypted `NAME.c4gh` also `NAME.csi` / `NAME.tbi` (an index describes the plaintext, so it
//! may carry either name).

use std::fs::File;
use std::path::Path;

use wasm_core::Dataset;
use wasm_core::formats::IngestError;
use wasm_core::formats::indexed::IndexedFile;
use wasm_core::regions::RegionSet;

use crate::keys::{self, KeyArgs};

/// `-r` and `--index` as given.
#[derive(Default)]
pub struct RegionArgs {
    pub regions: Option<String>,
    pub index: Option<String>,
}

impl RegionArgs {
    /// Takes `-r REGION` / `--regions REGION` / `--index FILE`; `Ok(false)` for other options.
    pub fn option(
        &mut self,
        a: &str,
        it: &mut std::slice::Iter<'_, String>,
    ) -> Result<bool, String> {
        let slot = match a {
            "-r" | "--regions" => &mut self.regions,
            "--index" => &mut self.index,
            _ if a.len() > 2 && a.starts_with("-r") => {
                return set(&mut self.regions, "-r", &a[2..]).map(|()| true);
            }
            _ => return Ok(false),
        };
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        set(slot, a, v)?;
        Ok(true)
    }

    /// The parsed regions, when `-r` was given.
    pub fn parsed(&self) -> Result<Option<RegionSet>, String> {
        if self.index.is_some() && self.regions.is_none() {
            return Err("--index is used with -r REGION".into());
        }
        self.regions
            .as_deref()
            .map(|r| {
                RegionSet::parse(r).map_err(|e| format!("invalid -r region {r:?}: {}", e.message))
            })
            .transpose()
    }
}

fn set(slot: &mut Option<String>, option: &str, v: &str) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!(
            "{option} is given twice; list several regions with commas (chr1:1-100,chr2)"
        ));
    }
    *slot = Some(v.to_string());
    Ok(())
}

/// The index beside `path`, if any.
pub fn find_index(path: &str) -> Option<String> {
    let mut bases = vec![path.to_string()];
    if let Some(plain) = path.strip_suffix(".c4gh") {
        bases.push(plain.to_string());
    }
    bases
        .iter()
        .flat_map(|b| [format!("{b}.csi"), format!("{b}.tbi")])
        .find(|candidate| Path::new(candidate).is_file())
}

/// The records of `path` overlapping `regions`, through `index`.
pub fn query(
    path: &str,
    index_path: &str,
    regions: &RegionSet,
    keys: &KeyArgs,
) -> Result<Dataset, String> {
    let index = std::fs::read(index_path)
        .map_err(|e| format!("cannot read the index {index_path}: {e}"))?;
    let file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let key = keys.secret_key()?;
    let fail = |e: IngestError| match e {
        IngestError::Index(_) => format!("{path} with index {index_path}: {}", e.report()),
        e => keys::ingest_error(path, keys, e),
    };
    let mut indexed = IndexedFile::open(Box::new(file), &index, key.as_ref()).map_err(fail)?;
    indexed.query(regions).map_err(fail)
}
