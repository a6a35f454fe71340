//! The Crypt4GH header (crypt4gh.tex §3.2): `"crypt4gh"`, version (u32 LE, 1), packet count
//! (u32 LE), then packets. A packet is its length (u32 LE, counting itself), the encryption method
//! (u32 LE; 0 = X25519 + ChaCha20-IETF-Poly1305), the writer's public key (32), a nonce (12) and
//! the encrypted payload with its MAC (16). Decrypted, a payload starts with its type (u32 LE):
//! 0 = data encryption parameters (method u32 LE = 0, then a 32-byte ChaCha20-Poly1305 key);
//! 1 = data edit list (count u32 LE, then that many u64 LE lengths: skip, keep, skip, …).
//!
//! Packets a key cannot open are for other recipients and are skipped.

use std::io::Read;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use zeroize::Zeroizing;

use super::keys::{PublicKey, SecretKey};
use super::{Crypt4ghError, random_bytes};

/// The first 8 bytes of every Crypt4GH file.
pub const MAGIC: &[u8; 8] = b"crypt4gh";
const VERSION: u32 = 1;
const METHOD_X25519_CHACHA20_IETF_POLY1305: u32 = 0;
const PACKET_DATA_ENCRYPTION_PARAMETERS: u32 = 0;
const PACKET_DATA_EDIT_LIST: u32 = 1;
const DATA_METHOD_CHACHA20_IETF_POLY1305: u32 = 0;
/// Larger counts or packets are damage, not a header (a packet holds a key or an edit list).
const MAX_PACKETS: u32 = 65_536;
const MAX_PACKET_LEN: u32 = 16 << 20;

/// A header as read from the file: its packets still encrypted.
#[derive(Debug, Clone)]
pub struct Header {
    packets: Vec<Packet>,
    /// Bytes from the start of the file to the first segment.
    len: u64,
}

#[derive(Debug, Clone)]
struct Packet {
    method: u32,
    body: Vec<u8>,
    offset: u64,
}

/// What a secret key finds in a header: the data keys and the edit list, if any.
pub struct Opened {
    pub data_keys: Vec<Zeroizing<[u8; 32]>>,
    pub edit_list: Option<Vec<u64>>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field(
                "data_keys",
                &format_args!("<{} redacted>", self.data_keys.len()),
            )
            .field("edit_list", &self.edit_list)
            .finish()
    }
}

impl Header {
    /// Reads the header from the start of `r`, leaving `r` at the first segment.
    pub fn read<R: Read>(r: &mut R) -> Result<Self, Crypt4ghError> {
        let mut offset = 0u64;
        let mut fixed = [0u8; 16];
        read_exact(
            r,
            &mut fixed,
            &mut offset,
            "the file ends inside the first 16 bytes",
        )?;
        if &fixed[..8] != MAGIC {
            return Err(Crypt4ghError::NotCrypt4gh);
        }
        let version = u32_le(&fixed[8..12]);
        if version != VERSION {
            return Err(Crypt4ghError::UnsupportedVersion(version));
        }
        let count = u32_le(&fixed[12..16]);
        if count > MAX_PACKETS {
            return Err(header_error(
                12,
                format!("it claims {count} header packets"),
            ));
        }
        let mut packets = Vec::with_capacity(count as usize);
        for k in 0..count {
            let start = offset;
            let mut lead = [0u8; 8];
            read_exact(
                r,
                &mut lead,
                &mut offset,
                &format!("the file ends inside header packet {}", k + 1),
            )?;
            let len = u32_le(&lead[..4]);
            if !(8..=MAX_PACKET_LEN).contains(&len) {
                return Err(header_error(
                    start,
                    format!("header packet {} claims {len} bytes", k + 1),
                ));
            }
            let mut body = vec![0u8; len as usize - 8];
            read_exact(
                r,
                &mut body,
                &mut offset,
                &format!("the file ends inside header packet {}", k + 1),
            )?;
            packets.push(Packet {
                method: u32_le(&lead[4..8]),
                body,
                offset: start,
            });
        }
        Ok(Self {
            packets,
            len: offset,
        })
    }

    /// Bytes before the first segment.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Number of header packets (for every recipient).
    pub fn packets(&self) -> usize {
        self.packets.len()
    }

    /// Decrypts the packets `key` can open and collects their data keys and edit list.
    pub fn open(&self, key: &SecretKey) -> Result<Opened, Crypt4ghError> {
        let mut data_keys = Vec::new();
        let mut edit_lists = Vec::new();
        let mut opened_any = false;
        for packet in &self.packets {
            let Some(plain) = packet.decrypt(key) else {
                continue;
            };
            opened_any = true;
            let bad = |reason: String| header_error(packet.offset, reason);
            if plain.len() < 4 {
                return Err(bad("a header packet is too short for its type".into()));
            }
            match u32_le(&plain[..4]) {
                PACKET_DATA_ENCRYPTION_PARAMETERS => {
                    if plain.len() != 4 + 4 + 32 {
                        return Err(bad(format!(
                            "a data-key packet holds {} bytes instead of 40",
                            plain.len()
                        )));
                    }
                    let method = u32_le(&plain[4..8]);
                    if method != DATA_METHOD_CHACHA20_IETF_POLY1305 {
                        return Err(bad(format!("unknown data encryption method {method}")));
                    }
                    let mut k = Zeroizing::new([0u8; 32]);
                    k.copy_from_slice(&plain[8..40]);
                    data_keys.push(k);
                }
                PACKET_DATA_EDIT_LIST => {
                    if plain.len() < 8 {
                        return Err(bad("an edit-list packet has no length count".into()));
                    }
                    // In u64: `8 × n` overflows wasm32's usize for n ≥ 2^29.
                    let n = u64::from(u32_le(&plain[4..8]));
                    if plain.len() as u64 != 8 + 8 * n {
                        return Err(bad(format!(
                            "an edit list of {n} lengths needs {} bytes, the packet holds {}",
                            8 + 8 * n,
                            plain.len()
                        )));
                    }
                    let lengths = plain[8..]
                        .chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect();
                    edit_lists.push(lengths);
                }
                other => return Err(bad(format!("unknown header packet type {other}"))),
            }
        }
        if !opened_any {
            return Err(Crypt4ghError::NotARecipient {
                packets: self.packets.len(),
            });
        }
        if data_keys.is_empty() {
            return Err(Crypt4ghError::NoDataKey);
        }
        if edit_lists.len() > 1 {
            return Err(Crypt4ghError::SeveralEditLists(edit_lists.len()));
        }
        Ok(Opened {
            data_keys,
            edit_list: edit_lists.pop(),
        })
    }
}

impl Packet {
    /// The decrypted payload, or `None` when this packet is not for `key` (or not X25519).
    fn decrypt(&self, key: &SecretKey) -> Option<Zeroizing<Vec<u8>>> {
        if self.method != METHOD_X25519_CHACHA20_IETF_POLY1305 || self.body.len() < 32 + 12 + 16 {
            return None;
        }
        let writer = PublicKey::from_bytes(self.body[..32].try_into().expect("32 bytes"));
        let shared = key.shared_as_reader(&writer)?;
        let nonce = Nonce::try_from(&self.body[32..44]).expect("12 bytes");
        let (text, tag) = self.body[44..].split_at(self.body.len() - 44 - 16);
        let tag = Tag::try_from(tag).expect("16 bytes");
        let mut plain = Zeroizing::new(text.to_vec());
        ChaCha20Poly1305::new_from_slice(shared.as_ref())
            .expect("32-byte key")
            .decrypt_inout_detached(&nonce, b"", plain.as_mut_slice().into(), &tag)
            .ok()?;
        Some(plain)
    }
}

/// Builds a header: for each recipient, a data-key packet and (if given) an edit-list packet,
/// encrypted with the key `writer` shares with that recipient.
pub(crate) fn build(
    writer: &SecretKey,
    recipients: &[PublicKey],
    data_key: &[u8; 32],
    edit_list: Option<&[u64]>,
) -> Result<Vec<u8>, Crypt4ghError> {
    let mut payloads: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut parameters = Zeroizing::new(Vec::with_capacity(40));
    parameters.extend_from_slice(&PACKET_DATA_ENCRYPTION_PARAMETERS.to_le_bytes());
    parameters.extend_from_slice(&DATA_METHOD_CHACHA20_IETF_POLY1305.to_le_bytes());
    parameters.extend_from_slice(data_key);
    payloads.push(parameters);
    if let Some(lengths) = edit_list {
        let mut list = Vec::with_capacity(8 + 8 * lengths.len());
        list.extend_from_slice(&PACKET_DATA_EDIT_LIST.to_le_bytes());
        let n = u32::try_from(lengths.len())
            .map_err(|_| header_error(0, "edit list too long".into()))?;
        list.extend_from_slice(&n.to_le_bytes());
        for l in lengths {
            list.extend_from_slice(&l.to_le_bytes());
        }
        payloads.push(Zeroizing::new(list));
    }
    let count = u32::try_from(recipients.len() * payloads.len())
        .map_err(|_| header_error(0, "too many recipients".into()))?;
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    for recipient in recipients {
        let shared = writer.shared_as_writer(recipient).ok_or_else(|| {
            header_error(
                0,
                "a recipient's public key is not a usable X25519 key".into(),
            )
        })?;
        let cipher = ChaCha20Poly1305::new_from_slice(shared.as_ref()).expect("32-byte key");
        for payload in &payloads {
            let mut nonce = [0u8; 12];
            random_bytes(&mut nonce)?;
            let mut sealed = payload.to_vec();
            let tag = cipher
                .encrypt_inout_detached(&Nonce::from(nonce), b"", sealed.as_mut_slice().into())
                .map_err(|_| header_error(0, "cannot encrypt a header packet".into()))?;
            let len = 4 + 4 + 32 + 12 + sealed.len() + 16;
            out.extend_from_slice(&(len as u32).to_le_bytes());
            out.extend_from_slice(&METHOD_X25519_CHACHA20_IETF_POLY1305.to_le_bytes());
            out.extend_from_slice(writer.public().as_bytes());
            out.extend_from_slice(&nonce);
            out.extend_from_slice(&sealed);
            out.extend_from_slice(&tag);
        }
    }
    Ok(out)
}

fn read_exact<R: Read>(
    r: &mut R,
    buf: &mut [u8],
    offset: &mut u64,
    what: &str,
) -> Result<(), Crypt4ghError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            header_error(*offset, what.to_string())
        } else {
            Crypt4ghError::Io(e)
        }
    })?;
    *offset += buf.len() as u64;
    Ok(())
}

fn header_error(offset: u64, reason: String) -> Crypt4ghError {
    Crypt4ghError::Header { offset, reason }
}

fn u32_le(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().expect("4 bytes"))
}
