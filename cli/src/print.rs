//! Printing records for `view` and `query`: the filter applied to one store (the whole file's,
//! or one streamed batch's) and its passing records written as TSV, VCF lines or a bcftools
//! `query -f` format.
//!
//! [`Printer::print`] is the one place records become output, whether the file was read whole
//! (`-r` through an index, `--batch 0`) or streamed a batch at a time ([`crate::stream`]), so the
//! two print the same bytes. The filter is compiled against each store it runs on; annotation
//! sub-fields and `@file` sets are per store, and a store only ever gains fields.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Once;

use wasm_core::bitmap::Bitmap;
use wasm_core::export::{self, query};
use wasm_core::filter::{FileSource, Filter, Mode};
use wasm_core::store::VariantStore;

use crate::files::WorkingDirFiles;

/// A `-i`/`-e` expression given on the command line.
pub struct FilterArg {
    pub expression: String,
    pub mode: Mode,
}

/// What `view` / `query` print per record.
pub enum Output {
    /// `CHROM\tPOS\tREF\tALT` (`view -f tsv`).
    Tsv,
    /// The record as a VCF line (`view -f vcf`).
    Vcf,
    /// A bcftools `query -f` format, with its text for messages.
    Query(query::QueryFormat),
}

/// Why printing stopped.
pub enum Stop {
    /// Writing the output failed (a closed pipe included).
    Output(io::Error),
    /// The expression or format does not fit a store: the message to show.
    Invalid(String),
}

/// What to print: the output and the filter.
pub struct Job {
    pub output: Output,
    pub filter: Option<FilterArg>,
    /// The filter's warnings were printed: once per command, however many stores it is
    /// compiled against.
    warned: Once,
}

impl Job {
    pub fn new(output: Output, filter: Option<FilterArg>) -> Self {
        Job {
            output,
            filter,
            warned: Once::new(),
        }
    }

    /// Checks the format and compiles the filter against `store`, with the messages a person
    /// sees (the text with a caret under the problem). The first check that passes prints the
    /// filter's warnings (a bare value, which never holds) on standard error.
    pub fn check(&self, store: &VariantStore, files: &dyn FileSource) -> Result<(), String> {
        if let Output::Query(format) = &self.output {
            format
                .check(store)
                .map_err(|e| bad_format(format.text(), e))?;
        }
        let filter = self.compile(store, files)?;
        if let (Some(filter), Some(arg)) = (filter, &self.filter) {
            self.warned.call_once(|| {
                for w in filter.warnings() {
                    eprintln!(
                        "enclave: warning: in the {} expression:\n{}",
                        arg.flag(),
                        w.render(&arg.expression)
                    );
                }
            });
        }
        Ok(())
    }

    /// The filter compiled against `store`.
    fn compile(
        &self,
        store: &VariantStore,
        files: &dyn FileSource,
    ) -> Result<Option<Filter>, String> {
        let Some(arg) = &self.filter else {
            return Ok(None);
        };
        Filter::compile(&arg.expression, store, arg.mode, files)
            .map(Some)
            .map_err(|e| {
                format!(
                    "invalid {} expression:\n{}",
                    arg.flag(),
                    e.render(&arg.expression)
                )
            })
    }
}

impl FilterArg {
    /// The option that gave the expression.
    fn flag(&self) -> &'static str {
        match self.mode {
            Mode::Include => "-i",
            Mode::Exclude => "-e",
        }
    }
}

/// The message for a `query -f` format that does not parse or does not fit the file.
pub fn bad_format(format: &str, e: query::QueryFormatError) -> String {
    format!("invalid -f format:\n{}", e.render(format))
}

/// `@file` contents read once for the whole command: a streamed file compiles its filter once
/// per batch.
#[derive(Default)]
pub struct CachedFiles {
    read: RefCell<HashMap<String, Result<String, String>>>,
}

impl FileSource for CachedFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        self.read
            .borrow_mut()
            .entry(name.to_string())
            .or_insert_with(|| WorkingDirFiles.read(name))
            .clone()
    }
}

/// Prints stores' passing records; holds the buffers reused between stores.
pub struct Printer<'a> {
    job: &'a Job,
    files: &'a dyn FileSource,
    line: Vec<u8>,
}

impl<'a> Printer<'a> {
    pub fn new(job: &'a Job, files: &'a dyn FileSource) -> Self {
        Printer {
            job,
            files,
            line: Vec::new(),
        }
    }

    /// Writes the records of `store` that the filter keeps and `mask` (a region mask) allows,
    /// in order.
    pub fn print<W: Write>(
        &mut self,
        store: &VariantStore,
        mask: Option<&Bitmap>,
        out: &mut W,
    ) -> Result<(), Stop> {
        let filter = self.job.compile(store, self.files).map_err(Stop::Invalid)?;
        let result = match &self.job.output {
            Output::Tsv | Output::Vcf => {
                let mut keep = match &filter {
                    Some(f) => f.evaluate(store).pass,
                    None => Bitmap::ones(store.len()),
                };
                if let Some(mask) = mask {
                    keep.and_with(mask);
                }
                if matches!(self.job.output, Output::Tsv) {
                    export::write_tsv(out, store, keep.iter_ones())
                } else {
                    keep.iter_ones().try_for_each(|i| {
                        export::write_vcf_record(out, store, i)?;
                        out.write_all(b"\n")
                    })
                }
            }
            Output::Query(format) => self.query(format, filter.as_ref(), store, mask, out),
        };
        result.map_err(Stop::Output)
    }

    /// `query -f`: with a filter, `[...]` blocks print the samples it selected
    /// ([`query::select`]), as bcftools does.
    fn query<W: Write>(
        &mut self,
        format: &query::QueryFormat,
        filter: Option<&Filter>,
        store: &VariantStore,
        mask: Option<&Bitmap>,
        out: &mut W,
    ) -> io::Result<()> {
        // With -i a record prints exactly when the column kernels pass it; the per-record
        // interpreter is needed only for which samples a [...] block prints. With -e a
        // per-sample expression can print a record it "removes" (other samples are left), so
        // every record goes through the interpreter, as before.
        let site_pass = match filter {
            Some(f) if f.mode() == Mode::Include => Some(f.evaluate(store).pass),
            _ => None,
        };
        let per_sample = format.has_sample_block();
        for i in 0..store.len() {
            if mask.is_some_and(|m| !m.get(i)) || site_pass.as_ref().is_some_and(|p| !p.get(i)) {
                continue;
            }
            self.line.clear();
            match filter {
                None => format.render(store, i, None, &mut self.line),
                Some(f) if f.mode() == Mode::Include && !per_sample => {
                    format.render(store, i, None, &mut self.line)
                }
                Some(f) => {
                    let Some(samples) = query::select(&f.evaluate_record(store, i), f.mode())
                    else {
                        continue;
                    };
                    format.render(store, i, Some(&samples), &mut self.line);
                }
            }
            out.write_all(&self.line)?;
        }
        Ok(())
    }
}
