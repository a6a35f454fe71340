//! [`PlaintextReader`]: random access to the plaintext of a Crypt4GH file.
//!
//! The body is a run of segments, each nonce (12) ‖ ChaCha20-IETF-Poly1305 ciphertext (≤ 64 KiB) ‖
//! MAC (16); all but the last are full, so segment `i` starts at `header + i × 65564` and the
//! plaintext length follows from the file size. A read maps its position through the edit list
//! (if any) to a plaintext offset, decrypts that offset's segment (verifying its MAC) unless it is
//! cached, and copies. Decrypted segments are zeroized when evicted or dropped.

use std::io::{self, Read, Seek, SeekFrom};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use zeroize::Zeroizing;

use super::header::Header;
use super::keys::SecretKey;
use super::{CIPHER_SEGMENT_SIZE, Crypt4ghError, SEGMENT_OVERHEAD, SEGMENT_SIZE};

/// Segments kept decrypted by default: 4 × 64 KiB. Sequential reading needs one; an indexed
/// query jumping between BGZF blocks near each other benefits from a few.
pub const DEFAULT_CACHED_SEGMENTS: usize = 4;

/// A `Read + Seek` view of the plaintext (after the edit list) of a Crypt4GH file.
pub struct PlaintextReader<R> {
    inner: R,
    body_start: u64,
    body_len: u64,
    /// Decrypted stream length, before the edit list.
    plain_len: u64,
    ciphers: Vec<ChaCha20Poly1305>,
    /// The data key that opened the last segment; tried first.
    last_key: usize,
    view: View,
    pos: u64,
    cache: Vec<Cached>,
    capacity: usize,
    clock: u64,
    decrypted: u64,
    scratch: Vec<u8>,
    /// A last segment too short to hold a nonce and a MAC (segment number, bytes): reported when
    /// a read reaches the end, so a file cut there never ends quietly.
    dangling: Option<(u64, u64)>,
}

struct Cached {
    index: u64,
    data: Zeroizing<Vec<u8>>,
    used: u64,
}

/// Plaintext ranges the edit list keeps, in order: `(plaintext start, view start, length)`.
enum View {
    Whole,
    Edited {
        ranges: Vec<(u64, u64, u64)>,
        len: u64,
    },
}

impl<R: Read + Seek> PlaintextReader<R> {
    /// Reads the header of `inner` (from its start) and opens it with `key`.
    pub fn new(inner: R, key: &SecretKey) -> Result<Self, Crypt4ghError> {
        Self::with_cache(inner, key, DEFAULT_CACHED_SEGMENTS)
    }

    /// As [`Self::new`], keeping up to `segments` (at least 1) decrypted segments.
    pub fn with_cache(
        mut inner: R,
        key: &SecretKey,
        segments: usize,
    ) -> Result<Self, Crypt4ghError> {
        inner.seek(SeekFrom::Start(0))?;
        let header = Header::read(&mut inner)?;
        let opened = header.open(key)?;
        let end = inner.seek(SeekFrom::End(0))?;
        let body_start = header.len();
        let body_len = end.saturating_sub(body_start);
        let full = body_len / CIPHER_SEGMENT_SIZE as u64;
        let rest = body_len % CIPHER_SEGMENT_SIZE as u64;
        let plain_len = full * SEGMENT_SIZE as u64 + rest.saturating_sub(SEGMENT_OVERHEAD as u64);
        let view = match opened.edit_list {
            None => View::Whole,
            Some(lengths) => edited(&lengths, plain_len),
        };
        let ciphers = opened
            .data_keys
            .iter()
            .map(|k| ChaCha20Poly1305::new_from_slice(k.as_ref()).expect("32-byte key"))
            .collect();
        Ok(Self {
            inner,
            body_start,
            body_len,
            plain_len,
            ciphers,
            last_key: 0,
            view,
            pos: 0,
            cache: Vec::new(),
            capacity: segments.max(1),
            clock: 0,
            decrypted: 0,
            scratch: Vec::with_capacity(CIPHER_SEGMENT_SIZE),
            dangling: (rest > 0 && rest < SEGMENT_OVERHEAD as u64).then_some((full + 1, rest)),
        })
    }

    /// Plaintext bytes this view yields (after the edit list).
    pub fn len(&self) -> u64 {
        match &self.view {
            View::Whole => self.plain_len,
            View::Edited { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Encrypted segments in the file.
    pub fn segments(&self) -> u64 {
        self.body_len.div_ceil(CIPHER_SEGMENT_SIZE as u64)
    }

    /// How many segment decryptions reads have needed so far (cache misses).
    pub fn decrypted_segments(&self) -> u64 {
        self.decrypted
    }

    /// Gives back the ciphertext reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The plaintext offset for view position `pos` and the bytes left in its kept range.
    fn locate(&self, pos: u64) -> (u64, u64) {
        match &self.view {
            View::Whole => (pos, self.plain_len - pos),
            View::Edited { ranges, .. } => {
                let k = ranges.partition_point(|&(_, view_start, _)| view_start <= pos) - 1;
                let (plain_start, view_start, len) = ranges[k];
                let into = pos - view_start;
                (plain_start + into, len - into)
            }
        }
    }

    /// The decrypted plaintext of segment `index`, from the cache or the file.
    fn segment(&mut self, index: u64) -> Result<&[u8], Crypt4ghError> {
        self.clock += 1;
        if let Some(k) = self.cache.iter().position(|c| c.index == index) {
            self.cache[k].used = self.clock;
            return Ok(&self.cache[k].data);
        }
        let offset = index * CIPHER_SEGMENT_SIZE as u64;
        let len = (self.body_len - offset).min(CIPHER_SEGMENT_SIZE as u64);
        if len < SEGMENT_OVERHEAD as u64 {
            return Err(Crypt4ghError::SegmentTruncated {
                segment: index + 1,
                len,
            });
        }
        self.inner.seek(SeekFrom::Start(self.body_start + offset))?;
        self.scratch.resize(len as usize, 0);
        self.inner.read_exact(&mut self.scratch).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                Crypt4ghError::SegmentTruncated {
                    segment: index + 1,
                    len,
                }
            } else {
                Crypt4ghError::Io(e)
            }
        })?;
        let slot = if self.cache.len() < self.capacity {
            self.cache.push(Cached {
                index: u64::MAX,
                data: Zeroizing::new(Vec::with_capacity(SEGMENT_SIZE)),
                used: 0,
            });
            self.cache.len() - 1
        } else {
            (0..self.cache.len())
                .min_by_key(|&k| self.cache[k].used)
                .expect("capacity is at least 1")
        };
        let entry = &mut self.cache[slot];
        entry.index = u64::MAX;
        let opened = open_segment(&self.ciphers, self.last_key, &self.scratch, &mut entry.data);
        if let Some(k) = opened {
            self.last_key = k;
        }
        let opened = opened.is_some();
        if !opened {
            return Err(Crypt4ghError::SegmentAuthentication {
                segment: index + 1,
                offset: self.body_start + offset,
                end: self.body_start + offset + len,
            });
        }
        self.decrypted += 1;
        entry.index = index;
        entry.used = self.clock;
        Ok(&entry.data)
    }
}

/// Decrypts one encrypted segment (`nonce ‖ ciphertext ‖ MAC`) into `out` with the first data key
/// that authenticates it, trying `first` before the others; returns that key's index.
///
/// Not generic on purpose: the hot loop is compiled once, in this crate and with its
/// optimisation level, whatever reader the [`PlaintextReader`] wraps.
fn open_segment(
    ciphers: &[ChaCha20Poly1305],
    first: usize,
    sealed: &[u8],
    out: &mut Vec<u8>,
) -> Option<usize> {
    let len = sealed.len();
    out.clear();
    out.extend_from_slice(&sealed[12..len - 16]);
    let nonce = Nonce::try_from(&sealed[..12]).expect("12 bytes");
    let tag = Tag::try_from(&sealed[len - 16..]).expect("16 bytes");
    let n = ciphers.len();
    // A failed attempt leaves `out` untouched: the MAC is checked before decrypting.
    (0..n).map(|i| (first + i) % n).find(|&k| {
        ciphers[k]
            .decrypt_inout_detached(&nonce, b"", out.as_mut_slice().into(), &tag)
            .is_ok()
    })
}

/// The kept ranges of an edit list over a plaintext of `plain_len` bytes: lengths alternate
/// skip, keep, skip, …; after an odd count (ending on a skip) the rest of the plaintext is kept,
/// after an even count nothing more is.
fn edited(lengths: &[u64], plain_len: u64) -> View {
    let mut ranges = Vec::new();
    let mut at = 0u64;
    let mut out = 0u64;
    let mut keep = |start: u64, len: u64, out: &mut u64| {
        let len = len.min(plain_len.saturating_sub(start));
        if len > 0 {
            ranges.push((start, *out, len));
            *out += len;
        }
    };
    for (k, &len) in lengths.iter().enumerate() {
        if k % 2 == 1 {
            keep(at, len, &mut out);
        }
        at = at.saturating_add(len);
    }
    if lengths.len() % 2 == 1 {
        keep(at, plain_len.saturating_sub(at), &mut out);
    }
    View::Edited { ranges, len: out }
}

impl<R: Read + Seek> Read for PlaintextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut written = 0;
        while written < buf.len() && self.pos < self.len() {
            let (plain, left_in_range) = self.locate(self.pos);
            let index = plain / SEGMENT_SIZE as u64;
            let within = (plain % SEGMENT_SIZE as u64) as usize;
            let data = match self.segment(index) {
                Ok(data) => data,
                Err(e) if written == 0 => return Err(e.into_io()),
                // Hand over what was read; the next call meets the error again.
                Err(_) => break,
            };
            if within >= data.len() {
                // Only the last segment may be short, and the length came from the file size: a
                // segment shorter than that says the file is not what its size promised.
                let error = Crypt4ghError::SegmentTruncated {
                    segment: index + 1,
                    len: data.len() as u64 + SEGMENT_OVERHEAD as u64,
                };
                if written == 0 {
                    return Err(error.into_io());
                }
                break;
            }
            let n = (buf.len() - written)
                .min(data.len() - within)
                .min(usize::try_from(left_in_range).unwrap_or(usize::MAX));
            buf[written..written + n].copy_from_slice(&data[within..within + n]);
            written += n;
            self.pos += n as u64;
        }
        if let Some((segment, len)) = self.dangling
            && written == 0
            && !buf.is_empty()
        {
            return Err(Crypt4ghError::SegmentTruncated { segment, len }.into_io());
        }
        Ok(written)
    }
}

impl<R: Read + Seek> Seek for PlaintextReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the plaintext",
            )
        })?;
        self.pos = target;
        Ok(target)
    }
}
