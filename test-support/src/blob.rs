//! Browser `Blob`s for the app's tests in Chromium (feature `browser`): the worker reads a picked
//! file through a `Blob`, so the tests hand it bytes the same way.

use js_sys::{Array, Uint8Array};
use web_sys::Blob;

/// A `Blob` holding a copy of `bytes`.
pub fn blob(bytes: &[u8]) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).expect("a blob from bytes")
}
