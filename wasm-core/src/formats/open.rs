//! Getting at a file's bytes: counting the raw bytes a reader pulls (`Counting`), peeking at
//! the first bytes for sniffing (`peek`), and opening a seekable file for random access
//! (`open_seekable` → `Opened`), through its Crypt4GH plaintext view when it is encrypted.
//!
//! The first step of every read: whole reads ([`super::ingest`]) count and peek; indexed reads
//! ([`super::indexed`]) and shards ([`super::shards`]) open the file seekable and read it
//! through one compiled BGZF reader (`Bgzf`).

use std::cell::{Cell, RefCell};
use std::io::{self, Cursor, Read, Seek};
use std::rc::Rc;

use super::bgzf::{self, EOF_MARKER};
use super::error::{IngestError, decryption_or_io};
use super::sniff;
use crate::crypt4gh::{PlaintextReader, SecretKey};

/// Buffer size of the readers in front of the decompressors and parsers.
pub(crate) const BUF: usize = 256 << 10;

/// `Read + Seek` as one trait, for a boxed reader.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Whether `head` (the first bytes of a file) starts a Crypt4GH file, so a key is needed.
pub fn is_encrypted(head: &[u8]) -> bool {
    sniff::container(head) == sniff::Container::Crypt4gh
}

/// Counts raw bytes as the decompressor pulls them, for progress and error offsets, and can
/// keep the last bytes seen so the BGZF end-of-file marker can be checked.
pub(crate) struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    tail: Option<Rc<RefCell<Vec<u8>>>>,
}

impl<R> Counting<R> {
    /// Counts into `count`, keeping no tail.
    pub(crate) fn new(inner: R, count: &Rc<Cell<u64>>) -> Self {
        Counting {
            inner,
            count: Rc::clone(count),
            tail: None,
        }
    }

    /// Counts into `count` and keeps the last [`EOF_MARKER`]`.len()` bytes read in `tail`.
    pub(crate) fn with_tail(inner: R, count: &Rc<Cell<u64>>, tail: &Rc<RefCell<Vec<u8>>>) -> Self {
        Counting {
            inner,
            count: Rc::clone(count),
            tail: Some(Rc::clone(tail)),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        if let Some(tail) = &self.tail {
            // Only the last bytes can be the marker: copy those, not every block.
            let keep = EOF_MARKER.len();
            let mut t = tail.borrow_mut();
            t.extend_from_slice(&buf[n.saturating_sub(keep)..n]);
            let excess = t.len().saturating_sub(keep);
            t.drain(..excess);
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Reads up to `n` bytes for sniffing and gives back a reader that still yields them.
pub(crate) fn peek<R: Read>(mut r: R, n: usize) -> io::Result<(Vec<u8>, impl Read)> {
    let mut head = Vec::with_capacity(n);
    (&mut r).take(n as u64).read_to_end(&mut head)?;
    Ok((head.clone(), Cursor::new(head).chain(r)))
}

/// The engine's BGZF reader over a seekable file, counting the raw bytes it reads: one
/// compiled copy for indexed reads and shards.
pub(crate) type Bgzf = bgzf::BgzfReader<Counting<Box<dyn ReadSeek>>>;

/// A data file opened for random access: the plaintext view when it is Crypt4GH-encrypted.
pub(crate) struct Opened {
    pub data: Box<dyn ReadSeek>,
    /// The container of the (plaintext) data, from its first bytes.
    pub container: sniff::Container,
    pub encrypted: bool,
    /// Bytes of data (of plaintext, when encrypted).
    pub len: u64,
}

/// Opens `data` for random access: a Crypt4GH file (recognised by its magic bytes) through its
/// plaintext view, which keeps `cached_segments` decrypted segments, with `key`.
pub(crate) fn open_seekable(
    mut data: Box<dyn ReadSeek>,
    key: Option<&SecretKey>,
    cached_segments: usize,
) -> Result<Opened, IngestError> {
    let mut head = [0u8; 18];
    let n = bgzf::read_full(&mut data, &mut head).map_err(decryption_or_io)?;
    let (mut data, encrypted): (Box<dyn ReadSeek>, bool) = match sniff::container(&head[..n]) {
        sniff::Container::Crypt4gh => {
            let key = key.ok_or(IngestError::Encrypted)?;
            let plain = PlaintextReader::with_cache(data, key, cached_segments)
                .map_err(IngestError::Decryption)?;
            (Box::new(plain), true)
        }
        _ => (data, false),
    };
    let len = data.seek(io::SeekFrom::End(0)).map_err(IngestError::Io)?;
    data.seek(io::SeekFrom::Start(0)).map_err(IngestError::Io)?;
    let n = bgzf::read_full(&mut data, &mut head).map_err(decryption_or_io)?;
    data.seek(io::SeekFrom::Start(0)).map_err(IngestError::Io)?;
    Ok(Opened {
        data,
        container: sniff::container(&head[..n]),
        encrypted,
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ErrorKind;

    #[test]
    fn counting_counts_every_byte_and_keeps_only_the_tail() {
        let data: Vec<u8> = (0..100u8).collect();
        let count = Rc::new(Cell::new(0));
        let tail = Rc::new(RefCell::new(Vec::new()));
        let mut r = Counting::with_tail(Cursor::new(data.clone()), &count, &tail);
        let mut buf = [0u8; 7];
        let mut seen = 0;
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            seen += n;
            assert_eq!(count.get(), seen as u64);
        }
        assert_eq!(count.get(), 100);
        // The last 28 bytes (the length of the BGZF end-of-file marker), across reads of 7.
        assert_eq!(*tail.borrow(), data[100 - EOF_MARKER.len()..]);
        // Without a tail, only the count.
        let count = Rc::new(Cell::new(5));
        let mut r = Counting::new(&data[..10], &count);
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert_eq!(count.get(), 15);
    }

    #[test]
    fn peek_gives_the_head_and_a_reader_that_still_yields_it() {
        let (head, mut rest) = peek(&b"##fileformat=VCFv4.2\n"[..], 5).unwrap();
        assert_eq!(head, b"##fil");
        let mut all = Vec::new();
        rest.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"##fileformat=VCFv4.2\n");
        let (head, _) = peek(&b"ab"[..], 5).unwrap();
        assert_eq!(head, b"ab", "a short file gives what it has");
    }

    #[test]
    fn open_seekable_sniffs_the_container_and_rewinds() {
        let text = b"##fileformat=VCFv4.2\n".to_vec();
        let opened = open_seekable(Box::new(Cursor::new(text.clone())), None, 1).unwrap();
        assert_eq!(opened.container, sniff::Container::Plain);
        assert_eq!(opened.len, text.len() as u64);
        assert!(!opened.encrypted);
        let mut data = opened.data;
        let mut again = Vec::new();
        data.read_to_end(&mut again).unwrap();
        assert_eq!(again, text, "the reader starts at the beginning again");
    }

    #[test]
    fn an_encrypted_file_without_a_key_is_refused_by_kind() {
        let mut c4gh = crate::crypt4gh::MAGIC.to_vec();
        c4gh.extend_from_slice(&[1, 0, 0, 0, 1, 0, 0, 0]);
        assert!(is_encrypted(&c4gh));
        let e = open_seekable(Box::new(Cursor::new(c4gh)), None, 1)
            .err()
            .expect("a key is needed");
        assert_eq!(e.kind(), ErrorKind::Encrypted);
    }
}
