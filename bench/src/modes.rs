//! An inheritance mode change as the app's worker makes it, timed natively (`enclave-bench
//! inheritance`) and as wasm32 in V8 (`bench/run-wasm.mjs … modes`) from this one source, so
//! the two figures time the same work and their ratio means something.
//!
//! [`Trio`] is the three-sample benchmark genome ([`crate::genome`]) read into a store and tied
//! to [`crate::family::GENOME_TRIO_PED`], its call states read once ([`Analysis::new`], what the
//! worker does when the pedigree arrives: `app/src/session/family.rs`, `Family::new`).
//! [`Trio::attach`] does that again on the loaded store (the figure of attaching a PED).
//! [`Trio::mode_change`] is then what the worker does when one mode is ticked (`Family::choose`
//! on a whole file: [`Analysis::select`] over the store, states already built) and returns the
//! records the mode keeps.
//!
//! Data flow: VCF bytes → [`Trio::read`] (ingest, pedigree, states) → [`Trio::mode_change`] per
//! [`Mode`], timed by the caller.

use wasm_core::Dataset;
use wasm_core::inheritance::{Analysis, Build, Mode, Options};
use wasm_core::pedigree::Pedigree;
use wasm_core::progress::Silent;

/// The loaded trio: the store and its analysis under the default gates.
pub struct Trio {
    pub dataset: Dataset,
    pub analysis: Analysis,
}

impl Trio {
    /// Ingests `bytes` (a VCF or BGZF VCF of HG002, HG003, HG004) and ties the trio to it.
    pub fn read(bytes: &[u8]) -> Result<Trio, String> {
        let dataset = wasm_core::read_dataset(bytes, Some(bytes.len() as u64), &mut Silent)
            .map_err(|e| e.report().to_string())?;
        Trio::new(dataset)
    }

    /// Ties the trio PED to `dataset`'s samples and reads every call's state.
    pub fn new(dataset: Dataset) -> Result<Trio, String> {
        let analysis = Analysis::new(&dataset.store, &trio_pedigree()?, options(&dataset))
            .map_err(|e| e.to_string())?;
        Ok(Trio { dataset, analysis })
    }

    /// Ties the trio PED to the store again, as the worker does when a pedigree arrives (call
    /// states and the gene index); returns the record count.
    pub fn attach(&mut self) -> Result<u64, String> {
        self.analysis = Analysis::new(
            &self.dataset.store,
            &trio_pedigree()?,
            options(&self.dataset),
        )
        .map_err(|e| e.to_string())?;
        Ok(self.dataset.store.len() as u64)
    }

    /// Ticking `mode` alone: its selection over the store; the records it keeps.
    pub fn mode_change(&self, mode: Mode) -> u64 {
        self.analysis
            .select(&self.dataset.store, &[mode])
            .kept
            .count_ones()
    }
}

/// [`crate::family::GENOME_TRIO_PED`], parsed.
pub fn trio_pedigree() -> Result<Pedigree, String> {
    Pedigree::parse(crate::family::GENOME_TRIO_PED.as_bytes()).map_err(|e| e.to_string())
}

/// The default gates and strictness, the build read from `dataset`'s header (as the app does).
pub fn options(dataset: &Dataset) -> Options {
    Options {
        build: Build::of_summary(&dataset.summary),
        ..Options::default()
    }
}

#[cfg(target_arch = "wasm32")]
mod exports {
    //! For `bench/run-wasm.mjs … modes`: the file's bytes as a (pointer, length) pair from
    //! `bench_alloc`; the loaded trio is kept in this module between calls (the wasm module has
    //! one thread). Counts back, `u64::MAX` on error.

    use std::cell::RefCell;

    use super::*;

    thread_local! {
        static LOADED: RefCell<Option<Trio>> = const { RefCell::new(None) };
    }

    fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        // SAFETY: the driver passes buffers it got from `bench_alloc` and filled, never freed.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    /// Writes the mode names, `Mode::ALL`'s order, comma-separated, into (out, cap); returns
    /// their length (nothing is written when it exceeds `cap`).
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_mode_names(out: *mut u8, cap: usize) -> usize {
        let names: Vec<&str> = Mode::ALL.iter().map(|m| m.name()).collect();
        let names = names.join(",");
        if names.len() <= cap {
            // SAFETY: `out` is a `bench_alloc` buffer of `cap` bytes the driver owns.
            unsafe { std::ptr::copy_nonoverlapping(names.as_ptr(), out, names.len()) };
        }
        names.len()
    }

    /// Ingests (data), ties the trio and reads the call states, keeping them for
    /// `bench_trio_mode`; returns the record count.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_trio_load(d: *const u8, d_len: usize) -> u64 {
        LOADED.with_borrow_mut(|loaded| {
            // The previous trio goes first: two 5 M stores at once would double the peak.
            *loaded = None;
            match Trio::read(slice(d, d_len)) {
                Ok(trio) => {
                    let records = trio.dataset.store.len() as u64;
                    *loaded = Some(trio);
                    records
                }
                Err(_) => u64::MAX,
            }
        })
    }

    /// Ties the PED to the loaded trio again (`Trio::attach`: call states and gene index);
    /// returns the record count.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_trio_attach() -> u64 {
        LOADED.with_borrow_mut(|loaded| match loaded.as_mut().map(Trio::attach) {
            Some(Ok(records)) => records,
            _ => u64::MAX,
        })
    }

    /// Ticks mode `mode` (an index into `Mode::ALL`) over the loaded trio; returns the records
    /// it keeps.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_trio_mode(mode: u32) -> u64 {
        LOADED.with_borrow(|loaded| match (loaded, Mode::ALL.get(mode as usize)) {
            (Some(trio), Some(&mode)) => trio.mode_change(mode),
            _ => u64::MAX,
        })
    }
}
