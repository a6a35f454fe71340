//! Progress and cancellation: the engine never sleeps or spawns; it calls back.

/// Whether long work should go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Cancel,
}

/// Receives progress of long work, in bytes of the input.
pub trait Progress {
    /// `done` bytes of `total` (when known). Return [`Flow::Cancel`] to stop.
    fn report(&mut self, done: u64, total: Option<u64>) -> Flow;
}

/// Ignores progress.
pub struct Silent;

impl Progress for Silent {
    fn report(&mut self, _done: u64, _total: Option<u64>) -> Flow {
        Flow::Continue
    }
}

impl<F: FnMut(u64, Option<u64>) -> Flow> Progress for F {
    fn report(&mut self, done: u64, total: Option<u64>) -> Flow {
        self(done, total)
    }
}
