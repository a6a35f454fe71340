//! `view` and `query` without holding the file: the engine streams it to a sink
//! ([`wasm_core::formats::Batches`]), which prints each batch of records as it is parsed
//! ([`Printer`]) and drops it. Memory is one batch's store and the output buffer, whatever the
//! file's size.
//!
//! Before the first record the sink checks the format and compiles the filter against the
//! store the header shapes. When they do not fit it (a field the header does not declare, which
//! only the records can add, or a mistake), the stream stops before printing anything and the
//! caller reads the file whole instead ([`Streamed::NeedsWholeFile`]), which gives what a whole
//! read always gave: the output, or the error with its caret.
//!
//! A record that cannot be read ends the stream after every record before it was printed; the
//! command then fails with the record's error (where it is: line, record, byte offset).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use wasm_core::Dataset;
use wasm_core::bitmap::Bitmap;
use wasm_core::crypt4gh::SecretKey;
use wasm_core::formats::{
    BatchSink, Batches, IngestError, ReadOptions, is_encrypted, read_dataset_with,
    read_encrypted_dataset_with,
};
use wasm_core::progress::{Flow, Silent};
use wasm_core::regions::RegionSet;
use wasm_core::store::VariantStore;

use crate::keys::{self, KeyArgs};
use crate::print::{CachedFiles, Job, Printer, Stop};

/// A data file opened for reading: decrypted through `key` when its first bytes say it is
/// Crypt4GH.
pub struct Source {
    pub path: String,
    pub file: File,
    pub size: Option<u64>,
    pub key: Option<SecretKey>,
}

impl Source {
    /// Opens `path`; an encrypted file needs `--key` (recognised by its first bytes, never its
    /// name), and a key given for a plain file is unused (and `noted` on standard error).
    pub fn open(path: &str, keys: &KeyArgs, noted: bool) -> Result<Self, String> {
        let mut file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        let size = file.metadata().ok().map(|m| m.len());
        let mut head = Vec::with_capacity(16);
        (&mut file)
            .take(16)
            .read_to_end(&mut head)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        let key = if is_encrypted(&head) {
            match keys.secret_key()? {
                Some(key) => Some(key),
                None => return Err(keys::encrypted_without_key(path)),
            }
        } else {
            if noted && keys.key.is_some() {
                eprintln!("enclave: note: {path} is not Crypt4GH-encrypted; --key is not used");
            }
            None
        };
        Ok(Source {
            path: path.to_string(),
            file,
            size,
            key,
        })
    }

    /// Reads the file with `options`, from its start.
    pub fn read(self, options: &ReadOptions<'_>) -> Result<Dataset, IngestError> {
        match &self.key {
            Some(key) => read_encrypted_dataset_with(self.file, key, options, &mut Silent),
            None => read_dataset_with(self.file, self.size, options, &mut Silent),
        }
    }
}

/// How a streamed read ended, when it did not fail.
pub enum Streamed {
    /// Every record was read and printed.
    Done,
    /// The format or filter did not fit the header: nothing was printed; read it whole.
    NeedsWholeFile,
}

/// The sink: prints each batch to `out`.
struct PrintSink<'a, W: Write> {
    job: &'a Job,
    files: &'a CachedFiles,
    printer: Printer<'a>,
    regions: Option<&'a RegionSet>,
    out: W,
    /// Records already printed (by the parts of a parallel read): read, not printed again.
    skip: u64,
    stop: Option<Stop>,
    needs_whole: bool,
}

impl<W: Write> BatchSink for PrintSink<'_, W> {
    fn header(&mut self, store: &VariantStore) -> Flow {
        if self.job.check(store, self.files).is_err() {
            self.needs_whole = true;
            return Flow::Cancel;
        }
        Flow::Continue
    }

    fn batch(&mut self, store: &VariantStore) -> Flow {
        let n = store.len() as u64;
        if self.skip >= n {
            self.skip -= n;
            return Flow::Continue;
        }
        let mask = mask(store, self.regions, self.skip);
        self.skip = 0;
        match self.printer.print(store, mask.as_ref(), &mut self.out) {
            Ok(()) => Flow::Continue,
            Err(stop) => {
                self.stop = Some(stop);
                Flow::Cancel
            }
        }
    }
}

/// The records of `store` to print: those `regions` overlap (all without regions), after the
/// first `skip`.
pub fn mask(store: &VariantStore, regions: Option<&RegionSet>, skip: u64) -> Option<Bitmap> {
    let mut mask = regions.map(|r| r.mask(store));
    if skip > 0 {
        let after = Bitmap::from_fn(store.len(), |i| i as u64 >= skip);
        match &mut mask {
            Some(m) => m.and_with(&after),
            None => mask = Some(after),
        }
    }
    mask
}

/// Streams `source` to standard output in batches of `batch` records (`None`: the engine's
/// default), keeping the records `regions` overlap when given and printing none of the first
/// `skip`.
pub fn stream(
    source: Source,
    keys: &KeyArgs,
    job: &Job,
    regions: Option<&RegionSet>,
    batch: Option<usize>,
    skip: u64,
) -> Result<Streamed, String> {
    let files = CachedFiles::default();
    let stdout = io::stdout();
    let sink = RefCell::new(PrintSink {
        job,
        files: &files,
        printer: Printer::new(job, &files),
        regions,
        out: BufWriter::with_capacity(1 << 20, stdout.lock()),
        skip,
        stop: None,
        needs_whole: false,
    });
    let path = source.path.clone();
    let read = {
        let batches = Batches::new(&sink, batch);
        let options = ReadOptions {
            batches: Some(&batches),
            ..ReadOptions::default()
        };
        source.read(&options).map(|_| ())
    };
    let mut sink = sink.into_inner();
    if sink.needs_whole {
        return Ok(Streamed::NeedsWholeFile);
    }
    match sink.stop.take() {
        Some(Stop::Invalid(message)) => return Err(message),
        // The reader went away (`| head`) or the disk is full: nothing more to say.
        Some(Stop::Output(e)) => return crate::write_result(Err(e)).map(|()| Streamed::Done),
        None => {}
    }
    // What was printed goes out before the error, if any, is reported.
    crate::write_result(sink.out.flush())?;
    read.map_err(|e| keys::ingest_error(&path, keys, e))?;
    Ok(Streamed::Done)
}
