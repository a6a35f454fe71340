//! [`Encryptor`]: writes a Crypt4GH file for one or more recipients (e.g. a report for a patient,
//! encrypted to their public key).

use std::io::{self, Write};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use zeroize::Zeroizing;

use super::keys::{PublicKey, SecretKey};
use super::{Crypt4ghError, SEGMENT_SIZE, header, random_bytes};

/// A `Write` that encrypts what it is given into 64 KiB segments under a fresh data key.
/// Call [`Encryptor::finish`] to write the last, short segment.
pub struct Encryptor<W: Write> {
    out: W,
    cipher: ChaCha20Poly1305,
    pending: Zeroizing<Vec<u8>>,
    segment: Vec<u8>,
}

impl<W: Write> Encryptor<W> {
    /// Writes the header to `out`. `writer` signs the header packets as sender; `None` uses a
    /// one-off key (anonymous, as `crypt4gh encrypt` without `--sk`). `edit_list` (skip, keep, …
    /// lengths) restricts what readers see to part of the plaintext.
    pub fn new(
        mut out: W,
        writer: Option<&SecretKey>,
        recipients: &[PublicKey],
        edit_list: Option<&[u64]>,
    ) -> Result<Self, Crypt4ghError> {
        if recipients.is_empty() {
            return Err(Crypt4ghError::NoRecipient);
        }
        let ephemeral;
        let writer = match writer {
            Some(key) => key,
            None => {
                ephemeral = SecretKey::generate()?;
                &ephemeral
            }
        };
        let mut data_key = Zeroizing::new([0u8; 32]);
        random_bytes(data_key.as_mut())?;
        out.write_all(&header::build(writer, recipients, &data_key, edit_list)?)?;
        Ok(Self {
            out,
            cipher: ChaCha20Poly1305::new_from_slice(data_key.as_ref()).expect("32-byte key"),
            pending: Zeroizing::new(Vec::with_capacity(SEGMENT_SIZE)),
            segment: Vec::with_capacity(SEGMENT_SIZE + 28),
        })
    }

    fn seal(&mut self) -> io::Result<()> {
        let mut nonce = [0u8; 12];
        random_bytes(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        self.segment.clear();
        self.segment.extend_from_slice(&nonce);
        self.segment.extend_from_slice(&self.pending);
        self.pending.clear();
        let tag = self
            .cipher
            .encrypt_inout_detached(&Nonce::from(nonce), b"", (&mut self.segment[12..]).into())
            .map_err(|_| io::Error::other("cannot encrypt a segment"))?;
        self.segment.extend_from_slice(&tag);
        self.out.write_all(&self.segment)
    }

    /// Writes the last segment and gives back the output.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            self.seal()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(SEGMENT_SIZE - self.pending.len());
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == SEGMENT_SIZE {
            self.seal()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
