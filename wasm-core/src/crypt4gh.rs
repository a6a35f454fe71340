//! GA4GH Crypt4GH v1 (hts-specs `crypt4gh.tex`), in pure Rust on RustCrypto crates, so it builds
//! for wasm32 (the `crypt4gh` crate needs libsodium).
//!
//! - [`keys`]: c4gh-v1 key files (scrypt, bcrypt, pbkdf2_hmac_sha256 or no KDF), public keys, key
//!   generation. Secrets redact `Debug` and are zeroized on drop.
//! - [`header`]: the magic, version and header packets; X25519 + BLAKE2b-512 shared keys;
//!   data-encryption-parameter and data-edit-list packets.
//! - [`PlaintextReader`]: a `Read + Seek` view of the plaintext over a `Read + Seek` ciphertext
//!   that decrypts only the 64 KiB segments a read touches, verifies every MAC and keeps a bounded
//!   number of decrypted segments.
//! - [`Encryptor`]: writes Crypt4GH for one or more recipients, with an optional edit list.
//!
//! What the format itself cannot detect, and how Enclave copes: v1 segments carry no index, so
//! swapping two *full* segments or cutting the file at a segment boundary decrypts without a MAC
//! failure (a short segment moved elsewhere shifts every later boundary and is caught). For BGZF
//! payloads the block checksums and the end-of-file marker catch the rest downstream.

pub mod header;
pub mod keys;
mod reader;
mod writer;

use std::io;

pub use header::{Header, MAGIC};
pub use keys::{KeyError, PublicKey, SecretKey};
pub use reader::PlaintextReader;
pub use writer::Encryptor;

/// Plaintext bytes per segment (spec §3.3).
pub const SEGMENT_SIZE: usize = 65536;
/// Nonce (12) + MAC (16) around each segment's ciphertext.
pub const SEGMENT_OVERHEAD: usize = 12 + 16;
/// A full encrypted segment on disk.
pub const CIPHER_SEGMENT_SIZE: usize = SEGMENT_SIZE + SEGMENT_OVERHEAD;

/// Why an encrypted file could not be opened or read. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum Crypt4ghError {
    #[error("not a Crypt4GH file (the first 8 bytes are not \"crypt4gh\")")]
    NotCrypt4gh,
    #[error("Crypt4GH version {0} is not supported (only version 1 is)")]
    UnsupportedVersion(u32),
    #[error("the Crypt4GH header is damaged: {reason} (at byte {offset})")]
    Header { offset: u64, reason: String },
    #[error(
        "this key opens none of the file's {packets} header packet(s): the file was not encrypted for this key"
    )]
    NotARecipient { packets: usize },
    #[error("no recipient: name at least one public key to encrypt for")]
    NoRecipient,
    #[error("the header gives no data key, so the file cannot be decrypted")]
    NoDataKey,
    #[error("the header holds {0} edit lists; Crypt4GH allows at most one")]
    SeveralEditLists(usize),
    #[error(
        "segment {segment} (encrypted bytes {offset}–{end}) fails authentication: the file is damaged, tampered with, truncated or its segments are out of order"
    )]
    SegmentAuthentication { segment: u64, offset: u64, end: u64 },
    #[error(
        "segment {segment} is {len} bytes, too short to hold a nonce and a MAC: the file is truncated"
    )]
    SegmentTruncated { segment: u64, len: u64 },
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The io error is in the message, not a `source`: [`IngestError::report`] would print it
    /// twice, and the CLI prints this error on its own.
    ///
    /// [`IngestError::report`]: crate::formats::IngestError::report
    #[error("cannot read the encrypted file: {0}")]
    Io(io::Error),
}

impl From<io::Error> for Crypt4ghError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

impl Crypt4ghError {
    /// The same error as an `io::Error`, for `Read` implementations; [`Self::from_io`] gets it back.
    pub fn into_io(self) -> io::Error {
        match self {
            Self::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }

    /// Recovers a typed error that went through `io::Error` (see [`Self::into_io`]).
    pub fn from_io(error: io::Error) -> Self {
        if error
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<Self>().is_some())
        {
            let inner = error.into_inner().expect("checked above");
            *inner.downcast::<Self>().expect("checked above")
        } else {
            Self::Io(error)
        }
    }
}

/// Fills `buf` from the platform's secure random source (`crypto.getRandomValues` in a browser).
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(buf).map_err(|e| KeyError::Random(e.to_string()))
}
