//! A case as a file: the case JSON ([`Case::to_json`] / [`Case::from_json`]) and the exported
//! case file, that JSON Crypt4GH-encrypted to the public keys the person picks ([`seal`]) and
//! opened with a secret key ([`open`]). The reference `crypt4gh decrypt` reads what [`seal`]
//! writes (crypt4gh §3: one header packet per recipient, 64 KiB segments).
//!
//! Main types: [`CaseFileError`] with its [`CaseFileErrorKind`] (wrong key or passphrase, a
//! damaged file, not a case, another version, another dataset), which the app turns into its
//! messages and tests match on. A failed open never touches the case the app shows: it only
//! returns an error.
//!
//! Data flow: the app's case ([`Case`]) → [`seal`] (in a worker, beside the cipher) → a `.c4gh`
//! download; a picked `.c4gh` → [`open`] → [`Case::check_dataset`] against the shown file → the
//! page's case.

use std::io::{Read, Write};

use super::{CASE_VERSION, Case};
use crate::crypt4gh::{Crypt4ghError, Encryptor, KeyError, PlaintextReader, PublicKey, SecretKey};

/// The largest case JSON [`open`] reads (a case holds decisions, not records): a damaged or
/// foreign file is refused before it fills memory.
pub const MAX_CASE_BYTES: u64 = 64 << 20;

/// Why a case could not be written, read or used here. Never holds key material.
#[derive(Debug, thiserror::Error)]
pub enum CaseFileError {
    /// The secret key's file or passphrase.
    #[error("cannot use the secret key")]
    Key(#[source] KeyError),
    /// The file was not encrypted for this key.
    #[error("the case file was not encrypted for this key")]
    NotARecipient(#[source] Crypt4ghError),
    /// Not Crypt4GH, cut, or altered.
    #[error("the case file is damaged or not a Crypt4GH file")]
    Damaged(#[source] Crypt4ghError),
    /// Encryption failed (no recipient, no randomness).
    #[error("cannot encrypt the case")]
    Encrypt(#[source] Crypt4ghError),
    /// Decrypted, but not a case's JSON.
    #[error("the file holds no case")]
    NotACase(#[source] serde_json::Error),
    /// A case of another version of the shape: refused, never guessed at.
    #[error("the case file is version {found}; this Enclave reads version {CASE_VERSION}")]
    Version { found: String },
    /// A case for another dataset than the one shown.
    #[error(
        "this case is for {case_file} (fingerprint {case_fingerprint}), not for the file shown, {shown_file} (fingerprint {shown_fingerprint})"
    )]
    OtherDataset {
        case_file: String,
        case_fingerprint: String,
        shown_file: String,
        shown_fingerprint: String,
    },
    #[error("the case is larger than {MAX_CASE_BYTES} bytes")]
    TooLarge,
}

/// What went wrong, for callers and tests (never the wording). Serde: it crosses to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CaseFileErrorKind {
    WrongPassphrase,
    Key,
    NotARecipient,
    Damaged,
    Encrypt,
    NotACase,
    Version,
    OtherDataset,
    TooLarge,
}

impl CaseFileError {
    pub fn kind(&self) -> CaseFileErrorKind {
        match self {
            Self::Key(KeyError::WrongPassphrase) => CaseFileErrorKind::WrongPassphrase,
            Self::Key(_) => CaseFileErrorKind::Key,
            Self::NotARecipient(_) => CaseFileErrorKind::NotARecipient,
            Self::Damaged(_) => CaseFileErrorKind::Damaged,
            Self::Encrypt(_) => CaseFileErrorKind::Encrypt,
            Self::NotACase(_) => CaseFileErrorKind::NotACase,
            Self::Version { .. } => CaseFileErrorKind::Version,
            Self::OtherDataset { .. } => CaseFileErrorKind::OtherDataset,
            Self::TooLarge => CaseFileErrorKind::TooLarge,
        }
    }

    /// The error and its causes in one line, as a person reads it.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

impl Case {
    /// The case as JSON (what IndexedDB keeps and an exported file encrypts).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a case serialises")
    }

    /// A case from its JSON: the version is checked first (another version is
    /// [`CaseFileError::Version`], whatever else the file holds), then the shape is read and
    /// [`Case::normalise`]d.
    pub fn from_json(text: &str) -> Result<Case, CaseFileError> {
        #[derive(serde::Deserialize)]
        struct Versioned {
            version: Option<serde_json::Value>,
        }
        let versioned: Versioned = serde_json::from_str(text).map_err(CaseFileError::NotACase)?;
        match versioned.version {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(CASE_VERSION)) => {}
            Some(other) => {
                return Err(CaseFileError::Version {
                    found: other.to_string(),
                });
            }
            None => {
                return Err(CaseFileError::Version {
                    found: "missing".into(),
                });
            }
        }
        let mut case: Case = serde_json::from_str(text).map_err(CaseFileError::NotACase)?;
        case.normalise();
        Ok(case)
    }

    /// Whether the case belongs to the dataset shown (`fingerprint`, `file_name`); if not, an
    /// error naming both files and fingerprints.
    pub fn check_dataset(&self, fingerprint: &str, file_name: &str) -> Result<(), CaseFileError> {
        if self.fingerprint == fingerprint {
            return Ok(());
        }
        Err(CaseFileError::OtherDataset {
            case_file: self.file_name.clone(),
            case_fingerprint: self.fingerprint.clone(),
            shown_file: file_name.to_string(),
            shown_fingerprint: fingerprint.to_string(),
        })
    }
}

/// The case file of `case`: its JSON encrypted to every one of `recipients`, signed by `writer`
/// (the person's own secret key) or, with `None`, by a one-off key as `crypt4gh encrypt` does
/// without `--sk`.
pub fn seal(
    case: &Case,
    writer: Option<&SecretKey>,
    recipients: &[PublicKey],
) -> Result<Vec<u8>, CaseFileError> {
    let mut out =
        Encryptor::new(Vec::new(), writer, recipients, None).map_err(CaseFileError::Encrypt)?;
    let json = zeroize::Zeroizing::new(case.to_json());
    out.write_all(json.as_bytes())
        .map_err(|e| CaseFileError::Encrypt(Crypt4ghError::from_io(e)))?;
    out.finish()
        .map_err(|e| CaseFileError::Encrypt(Crypt4ghError::from_io(e)))
}

/// The case in a case file, decrypted with `key`. The case is not checked against a dataset:
/// call [`Case::check_dataset`] before using it.
pub fn open(file: &[u8], key: &SecretKey) -> Result<Case, CaseFileError> {
    let classify = |e: Crypt4ghError| match e {
        Crypt4ghError::NotARecipient { .. } => CaseFileError::NotARecipient(e),
        Crypt4ghError::Key(k) => CaseFileError::Key(k),
        other => CaseFileError::Damaged(other),
    };
    let reader = PlaintextReader::new(std::io::Cursor::new(file), key).map_err(classify)?;
    if reader.len() > MAX_CASE_BYTES {
        return Err(CaseFileError::TooLarge);
    }
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    reader
        .take(MAX_CASE_BYTES)
        .read_to_end(&mut plain)
        .map_err(|e| classify(Crypt4ghError::from_io(e)))?;
    let text = std::str::from_utf8(&plain).map_err(|e| {
        CaseFileError::NotACase(serde::de::Error::custom(format_args!("not UTF-8: {e}")))
    })?;
    Case::from_json(text)
}

/// [`open`] with the secret key's file text and its passphrase (`None` for an unprotected key),
/// as the app's key panel holds them.
pub fn open_with_key_file(
    file: &[u8],
    key_file: &[u8],
    passphrase: Option<&[u8]>,
) -> Result<Case, CaseFileError> {
    let key = SecretKey::parse(key_file, passphrase).map_err(CaseFileError::Key)?;
    open(file, &key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Tag, VariantKey};

    fn case() -> Case {
        let mut case = Case::new("fp-1", "trio.vcf.gz");
        case.filter.expression = "QUAL>30".into();
        case.edit_variant(
            &VariantKey {
                chrom: "chr1".into(),
                pos: 7,
                reference: "A".into(),
                alt: "G".into(),
            },
            |v| {
                v.tags.push(Tag::Candidate);
                v.on_report = true;
            },
        );
        case
    }

    #[test]
    fn a_sealed_case_opens_with_each_recipient_and_no_other_key() {
        let (a, b, other) = (
            SecretKey::generate().unwrap(),
            SecretKey::generate().unwrap(),
            SecretKey::generate().unwrap(),
        );
        let file = seal(&case(), None, &[*a.public(), *b.public()]).unwrap();
        assert_eq!(open(&file, &a).unwrap(), case());
        assert_eq!(open(&file, &b).unwrap(), case());
        assert_eq!(
            open(&file, &other).unwrap_err().kind(),
            CaseFileErrorKind::NotARecipient
        );
        assert_eq!(
            seal(&case(), Some(&a), &[]).unwrap_err().kind(),
            CaseFileErrorKind::Encrypt
        );
    }

    #[test]
    fn damage_another_version_and_another_dataset_are_told_apart() {
        let key = SecretKey::generate().unwrap();
        let mut file = seal(&case(), None, &[*key.public()]).unwrap();
        let last = file.len() - 1;
        file[last] ^= 1;
        assert_eq!(
            open(&file, &key).unwrap_err().kind(),
            CaseFileErrorKind::Damaged
        );
        assert_eq!(
            open(b"not a case", &key).unwrap_err().kind(),
            CaseFileErrorKind::Damaged
        );
        let json = case().to_json();
        for version in ["2", "0", "\"1\"", "null"] {
            let other = json.replacen("\"version\":1", &format!("\"version\":{version}"), 1);
            assert_ne!(other, json);
            let error = Case::from_json(&other).unwrap_err();
            assert_eq!(error.kind(), CaseFileErrorKind::Version, "{version}");
        }
        assert_eq!(
            Case::from_json("[1, 2]").unwrap_err().kind(),
            CaseFileErrorKind::NotACase
        );
        assert_eq!(
            Case::from_json(r#"{"version":1,"fingerprint":7}"#)
                .unwrap_err()
                .kind(),
            CaseFileErrorKind::NotACase
        );
        let c = case();
        c.check_dataset("fp-1", "renamed.vcf.gz").unwrap();
        let error = c.check_dataset("fp-2", "other.vcf.gz").unwrap_err();
        assert_eq!(error.kind(), CaseFileErrorKind::OtherDataset);
        let message = error.to_string();
        for part in ["trio.vcf.gz", "fp-1", "other.vcf.gz", "fp-2"] {
            assert!(message.contains(part), "{message}");
        }
    }

    #[test]
    fn a_wrong_passphrase_is_its_own_kind() {
        let key = SecretKey::generate().unwrap();
        let file = seal(&case(), None, &[*key.public()]).unwrap();
        let text = key
            .to_file(
                crate::crypt4gh::keys::Kdf::Scrypt,
                Some(b"right"),
                Some("case test"),
            )
            .unwrap();
        assert_eq!(
            open_with_key_file(&file, text.as_bytes(), Some(b"right")).unwrap(),
            case()
        );
        assert_eq!(
            open_with_key_file(&file, text.as_bytes(), Some(b"wrong"))
                .unwrap_err()
                .kind(),
            CaseFileErrorKind::WrongPassphrase
        );
    }
}
