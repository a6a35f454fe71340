//! Secret keys on this page: recognising key files among the files picked, and the key chosen
//! to decrypt with.
//!
//! [`sniff_key_file`] looks at a picked file's first bytes only, so a data file's content is
//! never read here; a file that starts with key armor is read whole and [`classify`]d.
//! [`ChosenKey`] holds the chosen key's text (zeroized when dropped, redacted in `Debug`) and what
//! [`SecretKey::inspect`] says about it (whether it needs a passphrase); nothing is decrypted
//! here. The key goes to the decrypting worker only.

use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;
use zeroize::Zeroizing;

use crate::api::js_message;
use wasm_core::crypt4gh::SecretKey;

/// Files larger than this are never read as key files (a Crypt4GH `.sec` is about 300 bytes).
pub const KEY_FILE_MAX_BYTES: f64 = 64.0 * 1024.0;
/// Bytes read to see whether a picked file starts with key armor (`-----BEGIN`).
const ARMOR_SNIFF_BYTES: i32 = 64;

/// A secret key chosen on this page. The text is zeroized when the last handle is dropped.
pub struct ChosenKey {
    /// Where it came from: a file name, "pasted key" or the demo key. Shown here only.
    pub name: String,
    text: Zeroizing<String>,
    pub status: KeyStatus,
}

impl ChosenKey {
    /// The key in `text` (named `name` on the page), with what it needs.
    pub fn new(name: String, text: Zeroizing<String>) -> Self {
        let status = match SecretKey::inspect(text.as_bytes()) {
            Ok(info) => KeyStatus::Usable {
                needs_passphrase: info.needs_passphrase,
                kdf: info.kdf,
                comment: info.comment,
            },
            Err(e) => KeyStatus::Unusable(e.to_string()),
        };
        Self { name, text, status }
    }

    /// The key file's text, for the decrypting worker.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Debug for ChosenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChosenKey")
            .field("name", &self.name)
            .field("text", &"<redacted>")
            .field("status", &self.status)
            .finish()
    }
}

/// What [`SecretKey::inspect`] says about a chosen key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// A Crypt4GH secret key file.
    Usable {
        needs_passphrase: bool,
        /// The key-derivation function (`scrypt`, `bcrypt`, … or `none`).
        kdf: String,
        comment: Option<String>,
    },
    /// Not a usable key file; the engine's message says why.
    Unusable(String),
}

/// What a small file turned out to be.
pub enum KeyFile {
    /// A private key (Crypt4GH, or another kind the worker will name), with its text.
    Secret(Zeroizing<String>),
    /// A public key: it cannot decrypt.
    Public,
    NotAKey,
}

/// Whether `text` is key armor: `-----BEGIN` and `PRIVATE KEY` (or `PUBLIC KEY`).
pub fn classify(text: Zeroizing<String>) -> KeyFile {
    if !text.contains("-----BEGIN") {
        KeyFile::NotAKey
    } else if text.contains("PRIVATE KEY") {
        KeyFile::Secret(text)
    } else if text.contains("PUBLIC KEY") {
        KeyFile::Public
    } else {
        KeyFile::NotAKey
    }
}

/// Whether a picked file is a key file. Only its first bytes are looked at on the page unless
/// they start key armor, so a data file's content is never read here; large files are data.
pub async fn sniff_key_file(file: &Blob) -> KeyFile {
    if file.size() > KEY_FILE_MAX_BYTES {
        return KeyFile::NotAKey;
    }
    let starts_armor = match file.slice_with_i32_and_i32(0, ARMOR_SNIFF_BYTES) {
        Ok(head) => blob_text(&head)
            .await
            .is_ok_and(|t| t.trim_start().starts_with("-----BEGIN")),
        Err(_) => false,
    };
    if !starts_armor {
        return KeyFile::NotAKey;
    }
    match blob_text(file).await {
        Ok(text) => classify(text),
        Err(_) => KeyFile::NotAKey,
    }
}

/// A blob's bytes as text (invalid UTF-8 replaced).
pub async fn blob_text(blob: &Blob) -> Result<Zeroizing<String>, String> {
    let text = JsFuture::from(blob.text())
        .await
        .map_err(|e| format!("cannot read the key file: {}", js_message(&e)))?;
    Ok(Zeroizing::new(text.as_string().unwrap_or_default()))
}
