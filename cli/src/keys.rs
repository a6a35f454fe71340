//! Crypt4GH keys and passphrases from the command line: `--key KEY`, `--passphrase-file F` and
//! `--recipient PUBKEY` become `wasm_core::crypt4gh` keys, with errors that name the file.
//!
//! Passphrases are read from a file (its first line) rather than from an argument, which other
//! users can see in the process list, or from the environment, which child processes inherit.
//! Key files and passphrases live in zeroizing buffers and never appear in a message.

use std::fs;

use wasm_core::crypt4gh::{Crypt4ghError, KeyError, PublicKey, SecretKey};
use wasm_core::formats::IngestError;
use zeroize::Zeroizing;

/// `--key` and `--passphrase-file` as given.
#[derive(Default)]
pub struct KeyArgs {
    pub key: Option<String>,
    pub passphrase_file: Option<String>,
}

impl KeyArgs {
    /// Takes `--key` / `--passphrase-file` and their value; `Ok(false)` for any other option.
    pub fn option(
        &mut self,
        option: &str,
        it: &mut std::slice::Iter<'_, String>,
    ) -> Result<bool, String> {
        let slot = match option {
            "--key" => &mut self.key,
            "--passphrase-file" => &mut self.passphrase_file,
            _ => return Ok(false),
        };
        let what = if option == "--key" {
            "a secret key file"
        } else {
            "a file whose first line is the passphrase"
        };
        let value = it.next().ok_or_else(|| format!("{option} needs {what}"))?;
        if slot.replace(value.clone()).is_some() {
            return Err(format!("{option} was given twice"));
        }
        Ok(true)
    }

    /// A passphrase file means nothing without a key: say so rather than ignore it.
    pub fn check(&self) -> Result<(), String> {
        if self.passphrase_file.is_some() && self.key.is_none() {
            return Err("--passphrase-file goes with --key SECRET_KEY".into());
        }
        Ok(())
    }

    /// Opens the secret key named by `--key`, if any.
    pub fn secret_key(&self) -> Result<Option<SecretKey>, String> {
        self.key
            .as_deref()
            .map(|key| load_secret_key(key, self.passphrase_file.as_deref()))
            .transpose()
    }
}

/// The passphrase in the first line of `path`, without its line ending.
pub fn read_passphrase(path: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut text = Zeroizing::new(
        fs::read(path).map_err(|e| format!("cannot read the passphrase file {path}: {e}"))?,
    );
    if let Some(end) = text.iter().position(|&b| b == b'\n') {
        text.truncate(end);
    }
    if text.last() == Some(&b'\r') {
        text.pop();
    }
    if text.is_empty() {
        return Err(format!(
            "the passphrase file {path} is empty: its first line must hold the passphrase"
        ));
    }
    Ok(text)
}

/// Reads and opens a secret key file (c4gh-v1), asking the passphrase file only when the key is
/// protected, so an unencrypted key works with or without one.
pub fn load_secret_key(path: &str, passphrase_file: Option<&str>) -> Result<SecretKey, String> {
    let text = Zeroizing::new(
        fs::read(path).map_err(|e| format!("cannot read the secret key {path}: {e}"))?,
    );
    let info = SecretKey::inspect(&text).map_err(|e| format!("{path}: {e}"))?;
    let passphrase = match (info.needs_passphrase, passphrase_file) {
        (false, _) => None,
        (true, Some(file)) => Some(read_passphrase(file)?),
        (true, None) => {
            return Err(format!(
                "the secret key {path} is protected by a passphrase ({} key): give \
                 --passphrase-file FILE, a file whose first line is the passphrase",
                info.kdf
            ));
        }
    };
    SecretKey::parse(&text, passphrase.as_ref().map(|p| p.as_slice())).map_err(|e| match e {
        KeyError::WrongPassphrase => format!(
            "{path}: wrong passphrase (read from {}) for this secret key",
            passphrase_file.unwrap_or("?")
        ),
        other => format!("{path}: {other}"),
    })
}

/// Reads a recipient's public key file (`.pub`).
pub fn load_public_key(path: &str) -> Result<PublicKey, String> {
    let text = fs::read(path).map_err(|e| format!("cannot read the public key {path}: {e}"))?;
    PublicKey::parse(&text).map_err(|e| format!("{path}: {e}"))
}

/// The message for a file that could not be read: an encrypted file without `--key`, a failed
/// decryption (naming the key when the file is not for it), or anything else, after the path.
pub fn ingest_error(path: &str, keys: &KeyArgs, e: IngestError) -> String {
    match e {
        IngestError::Encrypted => encrypted_without_key(path),
        IngestError::Decryption(e) => {
            decryption_error(path, keys.key.as_deref().unwrap_or_default(), e)
        }
        e => format!("{path}: {}", e.report()),
    }
}

/// The message for an encrypted file given without `--key`.
pub fn encrypted_without_key(path: &str) -> String {
    format!("{path} is Crypt4GH-encrypted: give --key SECRET_KEY")
}

/// The message for a file that cannot be decrypted; a key the file is not for is named, so the
/// user sees which key to swap.
pub fn decryption_error(path: &str, key_path: &str, e: Crypt4ghError) -> String {
    match e {
        Crypt4ghError::NotARecipient { .. } => format!("{path}: {e} ({key_path})"),
        e => format!("{path}: {e}"),
    }
}
