//! [`BlobReader`]: a `web_sys::Blob` (a user's `File`) as `std::io::Read + Seek`.
//!
//! The engine reads from `Read`; in a dedicated worker a `Blob` can be read synchronously with
//! `FileReaderSync` over `Blob.slice(start, end)`, so only the bytes asked for are ever copied into
//! wasm memory, chunk by chunk. Offsets are `u64` (and `f64` for the JS calls), never `usize`:
//! files beyond 4 GiB are normal and `usize` is 32 bits here.
//!
//! Only valid in a dedicated worker: `FileReaderSync` does not exist on the main thread.

use std::io::{self, Read, Seek, SeekFrom};

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

/// Default bytes fetched from the `Blob` per `FileReaderSync` call.
pub const DEFAULT_CHUNK: u32 = 2 << 20;

/// Reads a `Blob` through `FileReaderSync`, a chunk at a time.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    size: u64,
    /// The next byte `read` returns.
    position: u64,
    /// Bytes of the file starting at `buffer_offset`.
    buffer: Vec<u8>,
    buffer_offset: u64,
    chunk: u32,
}

impl BlobReader {
    /// A reader over `blob` with the default chunk size.
    pub fn new(blob: Blob) -> io::Result<Self> {
        Self::with_chunk_size(blob, DEFAULT_CHUNK)
    }

    /// A reader fetching `chunk` bytes (at least 1) per call to `FileReaderSync`.
    pub fn with_chunk_size(blob: Blob, chunk: u32) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| {
            js_error(
                "FileReaderSync is unavailable (not in a dedicated worker?)",
                &e,
            )
        })?;
        let size = blob.size();
        Ok(Self {
            blob,
            reader,
            size: size as u64,
            position: 0,
            buffer: Vec::new(),
            buffer_offset: 0,
            chunk: chunk.max(1),
        })
    }

    /// The blob's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads `[start_offset, end_offset)` (clamped to the blob) in one call, bypassing the buffer.
    pub fn read_range(&self, start_offset: u64, end_offset: u64) -> io::Result<Vec<u8>> {
        let end = end_offset.min(self.size);
        let start = start_offset.min(end);
        let slice = self
            .blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| js_error("cannot slice the file", &e))?;
        let buffer = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| js_error("cannot read the file", &e))?;
        let array = Uint8Array::new(&buffer);
        let expected = end - start;
        if u64::from(array.length()) != expected {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the file changed while it was read: asked for {expected} bytes at offset {start}, got {}",
                    array.length()
                ),
            ));
        }
        Ok(array.to_vec())
    }

    /// Bytes of the buffer from `position` on, if `position` is inside it.
    fn buffered(&self) -> &[u8] {
        let end = self.buffer_offset + self.buffer.len() as u64;
        if self.position >= self.buffer_offset && self.position < end {
            &self.buffer[(self.position - self.buffer_offset) as usize..]
        } else {
            &[]
        }
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.position >= self.size {
            return Ok(0);
        }
        if self.buffered().is_empty() {
            let end = self
                .position
                .saturating_add(u64::from(self.chunk))
                .min(self.size);
            self.buffer = self.read_range(self.position, end)?;
            self.buffer_offset = self.position;
        }
        let available = self.buffered();
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        // Seeking past the end is allowed (reads return 0), as for files; before the start is not.
        self.position = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )
        })?;
        Ok(self.position)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.position)
    }
}

/// An `io::Error` from a JS exception, keeping its message.
fn js_error(what: &str, e: &wasm_bindgen::JsValue) -> io::Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    io::Error::other(format!("{what}: {detail}"))
}
