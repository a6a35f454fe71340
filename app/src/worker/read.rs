//! Reading through the memory guard: what a whole read, a prefix, a shard and a streaming scan
//! share.
//!
//! [`read`] picks the plain or the decrypting ingest; [`Guard`] passes progress on and stops a
//! read (`Flow::Cancel`) once the worker's wasm memory grows past a ceiling, so the worker
//! answers instead of trapping on an allocation it cannot make.

use wasm_core::crypt4gh::SecretKey;
use wasm_core::formats::{ReadOptions, read_dataset_with, read_encrypted_dataset_with};
use wasm_core::progress::{Flow, Progress};
use wasm_core::{Dataset, IngestError};

use crate::blob_reader::BlobReader;

/// Reads a whole file, a prefix of it or a streaming scan, decrypting with `key` when given.
pub(crate) fn read(
    reader: BlobReader,
    size: u64,
    key: Option<&SecretKey>,
    options: &ReadOptions<'_>,
    progress: &mut dyn Progress,
) -> Result<Dataset, IngestError> {
    match key {
        Some(key) => read_encrypted_dataset_with(reader, key, options, progress),
        None => read_dataset_with(reader, Some(size), options, progress),
    }
}

/// Passes progress on, and stops a read (`Flow::Cancel`) once the wasm memory grows past a
/// ceiling, so the worker answers rather than traps on an allocation it cannot make.
pub(crate) struct Guard<'a> {
    inner: &'a mut dyn Progress,
    ceiling: u64,
    tripped: bool,
}

impl<'a> Guard<'a> {
    pub(crate) fn new(inner: &'a mut dyn Progress, ceiling: u64) -> Self {
        Self {
            inner,
            ceiling,
            tripped: false,
        }
    }

    /// Whether the read was stopped for memory.
    pub(crate) fn tripped(&self) -> bool {
        self.tripped
    }
}

impl Progress for Guard<'_> {
    fn report(&mut self, done: u64, total: Option<u64>) -> Flow {
        if memory_bytes() > self.ceiling {
            self.tripped = true;
            return Flow::Cancel;
        }
        self.inner.report(done, total)
    }
}

/// The wasm memory's size now, in bytes.
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size::<0>() as u64 * 65_536
}
