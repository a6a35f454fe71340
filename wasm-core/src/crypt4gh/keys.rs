//! Crypt4GH key files (crypt4gh.tex §"Key format", as written by the reference `crypt4gh-keygen`).
//!
//! A secret key file is PEM-like armor around base64 of:
//! `"c4gh-v1"`, string kdf name, [string kdf options = u32 rounds (BE) ‖ salt], string cipher name,
//! string key blob, [string comment] — each string a big-endian u16 length and its bytes. The blob
//! is the 32-byte X25519 secret when the cipher is `none`, else nonce (12) ‖ ChaCha20-Poly1305 of
//! the secret under a key derived from the passphrase by scrypt (N=2^14, r=8, p=1; rounds unused),
//! bcrypt_pbkdf (rounds) or PBKDF2-HMAC-SHA256 (rounds). A public key file is armor around the
//! base64 of the 32-byte X25519 public key.

use std::fmt;

use base64ct::{Base64, Encoding};
use blake2::{Blake2b512, Digest};
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use zeroize::{Zeroize, Zeroizing};

use super::random_bytes;

const MAGIC: &[u8] = b"c4gh-v1";
const CIPHER: &str = "chacha20_poly1305";
const SECRET_ARMOR: &str = "CRYPT4GH PRIVATE KEY";
const PUBLIC_ARMOR: &str = "CRYPT4GH PUBLIC KEY";
/// What the reference writes: bcrypt 100 rounds, PBKDF2 100,000, scrypt's rounds field 0.
pub const DEFAULT_BCRYPT_ROUNDS: u32 = 100;
pub const DEFAULT_PBKDF2_ROUNDS: u32 = 100_000;
/// The most rounds a key file may ask for: 10× and 100× the reference's defaults. The count is
/// the file's own u32, and deriving 4 billion rounds would hold the worker for days; a key
/// asking for more is refused before any derivation (met while writing the `crypt4gh_keys` fuzz
/// target, whose runs would otherwise end in timeouts).
pub const MAX_BCRYPT_ROUNDS: u32 = 10 * DEFAULT_BCRYPT_ROUNDS;
pub const MAX_PBKDF2_ROUNDS: u32 = 100 * DEFAULT_PBKDF2_ROUNDS;

/// Why a key could not be read, made or used. Never carries key material or a passphrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a Crypt4GH key file: {0}")]
    Format(String),
    #[error(
        "SSH keys are not supported; convert with `crypt4gh-keygen` or make a Crypt4GH key with `enclave keygen`"
    )]
    SshKey,
    #[error("this secret key is protected by a passphrase; enter it to use the key")]
    PassphraseRequired,
    #[error("wrong passphrase for this secret key")]
    WrongPassphrase,
    #[error(
        "the key file uses the unknown key-derivation function \"{0}\" (known: scrypt, bcrypt, pbkdf2_hmac_sha256, none)"
    )]
    UnknownKdf(String),
    #[error("the key file uses the unknown cipher \"{0}\" (known: chacha20_poly1305, none)")]
    UnknownCipher(String),
    #[error("this is a public key; decryption needs the secret key (.sec)")]
    PublicNotSecret,
    #[error("this is a secret key; a recipient is named by a public key (.pub)")]
    SecretNotPublic,
    #[error(
        "the key file asks for {rounds} {kdf} rounds, more than the {max} this program derives (crypt4gh-keygen writes {default}); the file is damaged or not meant for it"
    )]
    TooManyRounds {
        kdf: &'static str,
        rounds: u32,
        max: u32,
        default: u32,
    },
    #[error("no secure random numbers available: {0}")]
    Random(String),
}

/// How a written secret key protects the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// scrypt N=2^14, r=8, p=1 — what the reference `crypt4gh-keygen` writes.
    Scrypt,
    Bcrypt {
        rounds: u32,
    },
    Pbkdf2Sha256 {
        rounds: u32,
    },
    /// No passphrase: the secret is stored in the clear.
    None,
}

impl Kdf {
    /// The name written in the key file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Scrypt => "scrypt",
            Self::Bcrypt { .. } => "bcrypt",
            Self::Pbkdf2Sha256 { .. } => "pbkdf2_hmac_sha256",
            Self::None => "none",
        }
    }

    /// Parses a KDF name as the CLI takes it, with the reference's default rounds.
    pub fn by_name(name: &str) -> Option<Self> {
        Some(match name {
            "scrypt" => Self::Scrypt,
            "bcrypt" => Self::Bcrypt {
                rounds: DEFAULT_BCRYPT_ROUNDS,
            },
            "pbkdf2_hmac_sha256" | "pbkdf2" => Self::Pbkdf2Sha256 {
                rounds: DEFAULT_PBKDF2_ROUNDS,
            },
            "none" => Self::None,
            _ => return None,
        })
    }

    fn rounds(self) -> u32 {
        match self {
            Self::Bcrypt { rounds } | Self::Pbkdf2Sha256 { rounds } => rounds,
            Self::Scrypt | Self::None => 0,
        }
    }

    fn derive(self, passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        let mut key = Zeroizing::new([0u8; 32]);
        match self {
            Self::Scrypt => {
                let params = scrypt::Params::new(14, 8, 1)
                    .map_err(|e| KeyError::Format(format!("scrypt parameters: {e}")))?;
                scrypt::scrypt(passphrase, salt, &params, key.as_mut())
                    .map_err(|e| KeyError::Format(format!("scrypt: {e}")))?;
            }
            Self::Bcrypt { rounds } => {
                bcrypt_pbkdf::bcrypt_pbkdf(passphrase, salt, rounds, key.as_mut())
                    .map_err(|e| KeyError::Format(format!("bcrypt: {e}")))?;
            }
            Self::Pbkdf2Sha256 { rounds } => {
                if rounds == 0 {
                    return Err(KeyError::Format("pbkdf2 with 0 rounds".into()));
                }
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, salt, rounds, key.as_mut());
            }
            Self::None => {}
        }
        Ok(key)
    }
}

/// An X25519 public key: names a recipient.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a `.pub` file (armored base64), or bare base64 of the 32 bytes.
    pub fn parse(text: &[u8]) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(text)
            .map_err(|_| KeyError::Format("the file is not text".into()))?;
        if text.trim_start().starts_with("ssh-") {
            return Err(KeyError::SshKey);
        }
        let body = match armor_body(text)? {
            Some((label, body)) if label.contains("PUBLIC KEY") => body,
            Some(_) => return Err(KeyError::SecretNotPublic),
            None => text.trim().to_string(),
        };
        let bytes = decode_base64(&body)?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            KeyError::Format(format!(
                "a public key holds 32 bytes, this one {}",
                bytes.len()
            ))
        })?;
        Ok(Self(key))
    }

    /// The `.pub` file text, as `crypt4gh-keygen` writes it.
    pub fn to_file(&self) -> String {
        armor(PUBLIC_ARMOR, &self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", Base64::encode_string(&self.0))
    }
}

/// An X25519 secret key. `Debug` shows only the public half; the secret is zeroized on drop.
#[derive(Clone)]
pub struct SecretKey {
    secret: Zeroizing<[u8; 32]>,
    public: PublicKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(<redacted>, public: {:?})", self.public)
    }
}

/// What a secret key file needs before it can be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKeyInfo {
    /// The KDF name (`none` when the secret is stored in the clear).
    pub kdf: String,
    /// The KDF's rounds as the file gives them (bcrypt, PBKDF2; 0 for scrypt and none).
    pub rounds: u32,
    pub needs_passphrase: bool,
    pub comment: Option<String>,
}

impl SecretKey {
    /// A key from its 32 secret bytes (the caller should zeroize its copy).
    pub fn from_bytes(secret: [u8; 32]) -> Self {
        let secret = Zeroizing::new(secret);
        let public = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*secret));
        Self {
            secret,
            public: PublicKey(public.to_bytes()),
        }
    }

    /// A fresh key from the platform's secure random source.
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        random_bytes(&mut bytes)?;
        let key = Self::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// What opening the key file needs (whether a passphrase, which KDF), without a passphrase.
    pub fn inspect(text: &[u8]) -> Result<SecretKeyInfo, KeyError> {
        let fields = SecretFields::parse(text)?;
        Ok(SecretKeyInfo {
            needs_passphrase: fields.cipher != "none",
            rounds: fields.rounds,
            kdf: fields.kdf,
            comment: fields.comment,
        })
    }

    /// Reads a `.sec` file; `passphrase` is needed unless the key is stored unencrypted.
    pub fn parse(text: &[u8], passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let fields = SecretFields::parse(text)?;
        let kdf = match fields.kdf.as_str() {
            "scrypt" => Kdf::Scrypt,
            "bcrypt" => Kdf::Bcrypt {
                rounds: fields.rounds,
            },
            "pbkdf2_hmac_sha256" => Kdf::Pbkdf2Sha256 {
                rounds: fields.rounds,
            },
            "none" => Kdf::None,
            other => return Err(KeyError::UnknownKdf(other.to_string())),
        };
        match fields.cipher.as_str() {
            "none" => {
                let secret: [u8; 32] = fields.blob.as_slice().try_into().map_err(|_| {
                    KeyError::Format(format!(
                        "an unencrypted secret holds 32 bytes, this one {}",
                        fields.blob.len()
                    ))
                })?;
                Ok(Self::from_bytes(secret))
            }
            CIPHER => {
                if kdf == Kdf::None {
                    return Err(KeyError::Format(
                        "the secret is encrypted but no key-derivation function is named".into(),
                    ));
                }
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                if fields.blob.len() != 12 + 32 + 16 {
                    return Err(KeyError::Format(format!(
                        "an encrypted secret holds 60 bytes, this one {}",
                        fields.blob.len()
                    )));
                }
                let derived = kdf.derive(passphrase, &fields.salt)?;
                let mut secret = Zeroizing::new([0u8; 32]);
                secret.copy_from_slice(&fields.blob[12..44]);
                let cipher =
                    ChaCha20Poly1305::new_from_slice(derived.as_ref()).expect("32-byte key");
                let nonce = Nonce::try_from(&fields.blob[..12]).expect("12-byte nonce");
                let tag = Tag::try_from(&fields.blob[44..]).expect("16-byte tag");
                cipher
                    .decrypt_inout_detached(&nonce, b"", secret.as_mut_slice().into(), &tag)
                    .map_err(|_| KeyError::WrongPassphrase)?;
                Ok(Self::from_bytes(*secret))
            }
            other => Err(KeyError::UnknownCipher(other.to_string())),
        }
    }

    /// The `.sec` file text. `passphrase` must be given unless `kdf` is [`Kdf::None`].
    pub fn to_file(
        &self,
        kdf: Kdf,
        passphrase: Option<&[u8]>,
        comment: Option<&str>,
    ) -> Result<String, KeyError> {
        let mut out = Zeroizing::new(MAGIC.to_vec());
        put_string(&mut out, kdf.name().as_bytes());
        if kdf == Kdf::None {
            put_string(&mut out, b"none");
            put_string(&mut out, self.secret.as_ref());
        } else {
            let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
            let mut salt = [0u8; 16];
            random_bytes(&mut salt)?;
            let mut options = kdf.rounds().to_be_bytes().to_vec();
            options.extend_from_slice(&salt);
            put_string(&mut out, &options);
            put_string(&mut out, CIPHER.as_bytes());
            let derived = kdf.derive(passphrase, &salt)?;
            let mut nonce = [0u8; 12];
            random_bytes(&mut nonce)?;
            let mut blob = Zeroizing::new(Vec::with_capacity(60));
            blob.extend_from_slice(&nonce);
            blob.extend_from_slice(self.secret.as_ref());
            let cipher = ChaCha20Poly1305::new_from_slice(derived.as_ref()).expect("32-byte key");
            let tag = cipher
                .encrypt_inout_detached(&Nonce::from(nonce), b"", (&mut blob[12..]).into())
                .map_err(|_| KeyError::Format("cannot encrypt the secret".into()))?;
            blob.extend_from_slice(&tag);
            put_string(&mut out, &blob);
        }
        if let Some(comment) = comment {
            put_string(&mut out, comment.as_bytes());
        }
        Ok(armor(SECRET_ARMOR, &out))
    }

    /// The key a reader shares with the writer of a header packet: the first 32 bytes of
    /// BLAKE2b-512(X25519(reader_sk, writer_pk) ‖ reader_pk ‖ writer_pk) — libsodium's
    /// `crypto_kx` with the reader as client. `None` for a low-order writer key.
    pub(crate) fn shared_as_reader(&self, writer: &PublicKey) -> Option<Zeroizing<[u8; 32]>> {
        self.shared(writer, &self.public, writer)
    }

    /// The same key computed by the writer (`self`) for `reader` (the `crypto_kx` server side).
    pub(crate) fn shared_as_writer(&self, reader: &PublicKey) -> Option<Zeroizing<[u8; 32]>> {
        self.shared(reader, reader, &self.public)
    }

    fn shared(
        &self,
        other: &PublicKey,
        reader: &PublicKey,
        writer: &PublicKey,
    ) -> Option<Zeroizing<[u8; 32]>> {
        let secret = x25519_dalek::StaticSecret::from(*self.secret);
        let dh = secret.diffie_hellman(&x25519_dalek::PublicKey::from(other.0));
        if !dh.was_contributory() {
            return None;
        }
        let mut hash = Blake2b512::new();
        hash.update(dh.as_bytes());
        hash.update(reader.0);
        hash.update(writer.0);
        let mut digest = hash.finalize();
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&digest[..32]);
        digest.as_mut_slice().zeroize();
        Some(key)
    }
}

/// The decoded fields of a secret key file; the blob (possibly the clear secret) is zeroized.
struct SecretFields {
    kdf: String,
    rounds: u32,
    salt: Vec<u8>,
    cipher: String,
    blob: Zeroizing<Vec<u8>>,
    comment: Option<String>,
}

impl SecretFields {
    fn parse(text: &[u8]) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(text)
            .map_err(|_| KeyError::Format("the file is not text".into()))?;
        let body = match armor_body(text)? {
            Some((label, _)) if label.contains("OPENSSH") => return Err(KeyError::SshKey),
            Some((label, _)) if label.contains("PUBLIC KEY") => {
                return Err(KeyError::PublicNotSecret);
            }
            Some((_, body)) => body,
            None if text.trim_start().starts_with("ssh-") => return Err(KeyError::SshKey),
            None => {
                return Err(KeyError::Format(
                    "no \"-----BEGIN CRYPT4GH PRIVATE KEY-----\" line".into(),
                ));
            }
        };
        let bytes = Zeroizing::new(decode_base64(&body)?);
        let mut rest: &[u8] = &bytes;
        if !rest.starts_with(MAGIC) {
            return Err(KeyError::Format(
                "the key does not start with \"c4gh-v1\"".into(),
            ));
        }
        rest = &rest[MAGIC.len()..];
        let kdf = String::from_utf8_lossy(take_string(&mut rest, "KDF name")?).into_owned();
        let (rounds, salt) = if kdf == "none" {
            (0, Vec::new())
        } else {
            let options = take_string(&mut rest, "KDF options")?;
            if options.len() < 4 {
                return Err(KeyError::Format("the KDF options are too short".into()));
            }
            let rounds = u32::from_be_bytes(options[..4].try_into().expect("4 bytes"));
            let limit = match kdf.as_str() {
                "bcrypt" => Some(("bcrypt", MAX_BCRYPT_ROUNDS, DEFAULT_BCRYPT_ROUNDS)),
                "pbkdf2_hmac_sha256" => Some(("PBKDF2", MAX_PBKDF2_ROUNDS, DEFAULT_PBKDF2_ROUNDS)),
                _ => None,
            };
            if let Some((name, max, default)) = limit
                && rounds > max
            {
                return Err(KeyError::TooManyRounds {
                    kdf: name,
                    rounds,
                    max,
                    default,
                });
            }
            (rounds, options[4..].to_vec())
        };
        let cipher = String::from_utf8_lossy(take_string(&mut rest, "cipher name")?).into_owned();
        let blob = Zeroizing::new(take_string(&mut rest, "key")?.to_vec());
        let comment = if rest.is_empty() {
            None
        } else {
            Some(String::from_utf8_lossy(take_string(&mut rest, "comment")?).into_owned())
        };
        Ok(Self {
            kdf,
            rounds,
            salt,
            cipher,
            blob,
            comment,
        })
    }
}

fn take_string<'a>(rest: &mut &'a [u8], what: &str) -> Result<&'a [u8], KeyError> {
    let truncated = || KeyError::Format(format!("the key file ends inside its {what}"));
    if rest.len() < 2 {
        return Err(truncated());
    }
    let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
    let value = rest.get(2..2 + len).ok_or_else(truncated)?;
    *rest = &rest[2 + len..];
    Ok(value)
}

fn put_string(out: &mut Vec<u8>, value: &[u8]) {
    let len = u16::try_from(value.len()).expect("key file strings are short");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
}

/// The label and base64 body between `-----BEGIN LABEL-----` and `-----END LABEL-----`.
fn armor_body(text: &str) -> Result<Option<(String, String)>, KeyError> {
    let mut lines = text.lines().map(str::trim);
    let Some(label) = lines.find_map(|line| {
        line.strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
    }) else {
        return Ok(None);
    };
    let mut body = String::new();
    for line in lines {
        if line.starts_with("-----END ") {
            return Ok(Some((label.to_string(), body)));
        }
        body.push_str(line);
    }
    Err(KeyError::Format(format!(
        "\"-----BEGIN {label}-----\" has no matching END line"
    )))
}

fn decode_base64(body: &str) -> Result<Vec<u8>, KeyError> {
    Base64::decode_vec(body.trim())
        .map_err(|_| KeyError::Format("the key is not valid base64".into()))
}

fn armor(label: &str, bytes: &[u8]) -> String {
    let encoded = Zeroizing::new(Base64::encode_string(bytes));
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        encoded.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SecretKey::from_bytes([7u8; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains(&Base64::encode_string(&[7u8; 32])));
    }

    #[test]
    fn a_key_asking_for_billions_of_rounds_is_refused_before_deriving() {
        let key = SecretKey::from_bytes([9u8; 32]);
        for (kdf, max) in [
            (Kdf::Bcrypt { rounds: 4 }, MAX_BCRYPT_ROUNDS),
            (Kdf::Pbkdf2Sha256 { rounds: 10 }, MAX_PBKDF2_ROUNDS),
        ] {
            let text = key.to_file(kdf, Some(b"pass"), None).unwrap();
            let mut bytes = decode_base64(&armor_body(&text).unwrap().unwrap().1).unwrap();
            // c4gh-v1 ‖ string kdf name ‖ u16 length of the options ‖ u32 rounds (BE) ‖ salt.
            let at = MAGIC.len() + 2 + kdf.name().len() + 2;
            for rounds in [max + 1, u32::MAX] {
                bytes[at..at + 4].copy_from_slice(&rounds.to_be_bytes());
                let damaged = armor(SECRET_ARMOR, &bytes);
                assert!(matches!(
                    SecretKey::inspect(damaged.as_bytes()),
                    Err(KeyError::TooManyRounds { rounds: r, .. }) if r == rounds
                ));
                // Refused at once, not after days of derivation.
                assert!(matches!(
                    SecretKey::parse(damaged.as_bytes(), Some(b"pass")),
                    Err(KeyError::TooManyRounds { .. })
                ));
            }
            bytes[at..at + 4].copy_from_slice(&4u32.to_be_bytes());
            let info = SecretKey::inspect(armor(SECRET_ARMOR, &bytes).as_bytes()).unwrap();
            assert_eq!(info.rounds, 4);
        }
    }

    #[test]
    fn every_kdf_round_trips_and_a_wrong_passphrase_is_named() {
        let key = SecretKey::from_bytes([9u8; 32]);
        for kdf in [
            Kdf::Scrypt,
            Kdf::Bcrypt { rounds: 4 },
            Kdf::Pbkdf2Sha256 { rounds: 10 },
            Kdf::None,
        ] {
            let text = key.to_file(kdf, Some(b"pass"), Some("me")).unwrap();
            let info = SecretKey::inspect(text.as_bytes()).unwrap();
            assert_eq!(info.kdf, kdf.name());
            assert_eq!(info.comment.as_deref(), Some("me"));
            assert_eq!(info.needs_passphrase, kdf != Kdf::None);
            let back = SecretKey::parse(text.as_bytes(), Some(b"pass")).unwrap();
            assert_eq!(back.public(), key.public());
            if kdf != Kdf::None {
                assert_eq!(
                    SecretKey::parse(text.as_bytes(), Some(b"nope")).unwrap_err(),
                    KeyError::WrongPassphrase
                );
                assert_eq!(
                    SecretKey::parse(text.as_bytes(), None).unwrap_err(),
                    KeyError::PassphraseRequired
                );
            }
        }
    }

    #[test]
    fn public_keys_round_trip_and_mixups_are_named() {
        let key = SecretKey::from_bytes([3u8; 32]);
        let public = key.public().to_file();
        assert_eq!(&PublicKey::parse(public.as_bytes()).unwrap(), key.public());
        assert_eq!(
            SecretKey::parse(public.as_bytes(), None).unwrap_err(),
            KeyError::PublicNotSecret
        );
        let secret = key.to_file(Kdf::None, None, None).unwrap();
        assert_eq!(
            PublicKey::parse(secret.as_bytes()).unwrap_err(),
            KeyError::SecretNotPublic
        );
        assert_eq!(
            PublicKey::parse(b"ssh-ed25519 AAAA me").unwrap_err(),
            KeyError::SshKey
        );
    }

    #[test]
    fn an_unknown_kdf_is_named() {
        let mut raw = MAGIC.to_vec();
        put_string(&mut raw, b"argon2");
        put_string(&mut raw, &[0, 0, 0, 1, 5, 5]);
        put_string(&mut raw, CIPHER.as_bytes());
        put_string(&mut raw, &[0u8; 60]);
        let text = armor(SECRET_ARMOR, &raw);
        assert_eq!(
            SecretKey::parse(text.as_bytes(), Some(b"x")).unwrap_err(),
            KeyError::UnknownKdf("argon2".into())
        );
    }
}
