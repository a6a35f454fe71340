//! Helpers shared by the engine's integration tests: the project's `testdata/` folder and a read
//! through the engine that turns a panic into a test failure naming the case.

#![allow(dead_code)] // each test crate uses a different subset

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use wasm_core::progress::Silent;
use wasm_core::{Dataset, IngestError};

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
