//! Helpers shared by the engine's integration tests: the project's `testdata/` folder and a read
//! through the engine that turns a panic into a test failure naming the case.

#![allow(dead_code)] // each test crate uses a different subset

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use wasm_core::progress::Silent;
use wasm_core::{Dataset, IngestError};

/// Every file under `dir`, recursively, in path order (a folder that cannot be read fails the
/// test, naming it).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    entries
        .into_iter()
        .flat_map(|path| {
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// The workspace's `testdata/` folder.
pub fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("wasm-core sits in the workspace")
        .join("testdata")
}

/// The bytes of a file under `testdata/`.
pub fn testdata(rel: &str) -> Vec<u8> {
    let path = testdata_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads through the engine; a panic fails the test with the case's name and the panic message.
pub fn read_from(
    name: &str,
    reader: impl Read,
    total: Option<u64>,
) -> Result<Dataset, IngestError> {
    match catch_unwind(AssertUnwindSafe(|| {
        wasm_core::read_dataset(reader, total, &mut Silent)
    })) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            panic!("{name}: the engine panicked: {msg}")
        }
    }
}

/// A small deterministic PRNG (splitmix64), so the property tests need no extra crate and a
/// failing case is reproduced by its seed.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `1..=max`.
    pub fn size(&mut self, max: u64) -> usize {
        (self.next() % max + 1) as usize
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
