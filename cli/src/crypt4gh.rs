//! `enclave decrypt`, `enclave encrypt` and `enclave keygen`: GA4GH Crypt4GH v1 files and keys on
//! the command line, through the same `wasm_core::crypt4gh` code the browser uses, and readable
//! and writable by the reference implementation (`crypt4gh`, `crypt4gh-keygen`).
//!
//! Output named by `-o` appears only when the whole file succeeded ([`PendingFile`]); decrypted
//! plaintext and secret keys are created readable by their owner only.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, Write};
use std::path::Path;

use wasm_core::crypt4gh::keys::Kdf;
use wasm_core::crypt4gh::{Crypt4ghError, Encryptor, PlaintextReader, SEGMENT_SIZE, SecretKey};
use zeroize::Zeroizing;

use crate::keys::{self, KeyArgs};
use crate::output::{Access, PendingFile};
use crate::{USAGE, set_file, value, write_result};

/// `enclave decrypt --key KEY [--passphrase-file F] [-o OUT] FILE.c4gh`
pub fn decrypt(args: &[String]) -> Result<(), String> {
    let mut keys = KeyArgs::default();
    let mut out = None;
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" => out = Some(value(&mut it, a, "an output file")?.clone()),
            other if keys.option(other, &mut it)? => {}
            "-" => {
                return Err(
                    "decrypt: give a FILE: decryption seeks in it, so standard input cannot be read"
                        .into(),
                );
            }
            f if !f.starts_with('-') => set_file(&mut file, f)?,
            other => return Err(format!("decrypt: unknown option {other:?}\n{USAGE}")),
        }
    }
    keys.check()?;
    let path = file.ok_or("decrypt: no FILE given")?;
    let key_path = keys
        .key
        .clone()
        .ok_or("decrypt: no --key given (the secret key the file was encrypted for)")?;
    let input = File::open(&path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let key = keys::load_secret_key(&key_path, keys.passphrase_file.as_deref())?;
    let mut reader = PlaintextReader::new(input, &key)
        .map_err(|e| keys::decryption_error(&path, &key_path, e))?;
    match out {
        Some(out) => {
            let mut pending = PendingFile::create(Path::new(&out), Access::Private)?;
            copy_plaintext(&mut reader, pending.file()).map_err(|e| match e {
                CopyError::Read(e) => format!("{path}: {e} ({out} was not written)"),
                CopyError::Write(e) => format!("cannot write {out}: {e}"),
            })?;
            pending.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            match copy_plaintext(&mut reader, &mut lock) {
                Ok(()) => write_result(lock.flush()),
                Err(CopyError::Read(e)) => Err(format!(
                    "{path}: {e} (standard output holds only the plaintext before it)"
                )),
                Err(CopyError::Write(e)) => write_result(Err(e)),
            }
        }
    }
}

enum CopyError {
    Read(Crypt4ghError),
    Write(io::Error),
}

/// Copies the plaintext segment by segment, telling a failing segment (the file's fault) from a
/// failing write (the output's), which `io::copy` would merge.
fn copy_plaintext<R: Read + Seek>(
    reader: &mut PlaintextReader<R>,
    out: &mut dyn Write,
) -> Result<(), CopyError> {
    let mut buf = Zeroizing::new(vec![0u8; SEGMENT_SIZE]);
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(Crypt4ghError::from_io(e))),
        };
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
}

/// `enclave encrypt --recipient PUBKEY... [--key SENDER [--passphrase-file F]]
/// [--edit-list N,N,...] [-o OUT] FILE`
pub fn encrypt(args: &[String]) -> Result<(), String> {
    let mut keys = KeyArgs::default();
    let mut recipients = Vec::new();
    let mut edit_list = None;
    let mut out = None;
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--recipient" | "--recipient-pk" | "--recipient_pk" => {
                recipients.push(value(&mut it, a, "a public key file (.pub)")?.clone())
            }
            "--edit-list" => {
                let list = value(&mut it, a, "lengths N,N,... (skip, keep, skip, ...)")?;
                edit_list = Some(parse_edit_list(list)?);
            }
            "-o" | "--output" => out = Some(value(&mut it, a, "an output file")?.clone()),
            other if keys.option(other, &mut it)? => {}
            f if !f.starts_with('-') || f == "-" => set_file(&mut file, f)?,
            other => return Err(format!("encrypt: unknown option {other:?}\n{USAGE}")),
        }
    }
    keys.check()?;
    let path = file.ok_or("encrypt: no FILE given (- reads standard input)")?;
    if recipients.is_empty() {
        return Err("encrypt: no --recipient PUBKEY given (whom the file is for)".into());
    }
    if out.is_none() && io::stdout().is_terminal() {
        return Err(
            "encrypt: refusing to write encrypted bytes to a terminal: give -o OUT or redirect"
                .into(),
        );
    }
    let recipients = recipients
        .iter()
        .map(|r| keys::load_public_key(r))
        .collect::<Result<Vec<_>, _>>()?;
    let sender = keys.secret_key()?;
    let mut input: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&path).map_err(|e| format!("cannot open {path}: {e}"))?)
    };
    let mut encrypt_into = |sink: &mut dyn Write, name: &str| -> Result<(), String> {
        let written = |e: io::Error| format!("cannot write {name}: {e}");
        let header_error = |e: Crypt4ghError| match e {
            Crypt4ghError::Io(e) => written(e),
            e => format!("cannot encrypt {path}: {e}"),
        };
        let mut encryptor =
            Encryptor::new(sink, sender.as_ref(), &recipients, edit_list.as_deref())
                .map_err(header_error)?;
        let mut buf = Zeroizing::new(vec![0u8; SEGMENT_SIZE]);
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read {path}: {e}")),
            };
            encryptor.write_all(&buf[..n]).map_err(written)?;
        }
        encryptor.finish().map_err(written)?;
        Ok(())
    };
    match out {
        Some(out) => {
            let mut pending = PendingFile::create(Path::new(&out), Access::Default)?;
            encrypt_into(pending.file(), &out)?;
            pending.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            encrypt_into(&mut lock, "standard output")
        }
    }
}

/// `100,200,70000` → `[100, 200, 70000]`, naming the item that is not a length.
fn parse_edit_list(text: &str) -> Result<Vec<u64>, String> {
    text.split(',')
        .enumerate()
        .map(|(k, item)| {
            item.trim().parse::<u64>().map_err(|_| {
                format!(
                    "--edit-list: item {} ({item:?}) is not a length in bytes; give N,N,... \
                     (skip, keep, skip, ...)",
                    k + 1
                )
            })
        })
        .collect()
}

/// `enclave keygen (--passphrase-file F | --no-passphrase) [--kdf KDF] [-C COMMENT] [-f] -o NAME`
pub fn keygen(args: &[String]) -> Result<(), String> {
    let mut passphrase_file = None;
    let mut no_passphrase = false;
    let mut kdf_name = None;
    let mut comment = None;
    let mut force = false;
    let mut name = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--passphrase-file" => {
                passphrase_file =
                    Some(value(&mut it, a, "a file whose first line is the passphrase")?.clone())
            }
            "--no-passphrase" | "--nocrypt" => no_passphrase = true,
            "--kdf" => {
                kdf_name = Some(value(&mut it, a, "scrypt, bcrypt or pbkdf2_hmac_sha256")?.clone())
            }
            "-C" | "--comment" => comment = Some(value(&mut it, a, "a comment")?.clone()),
            "-f" | "--force" => force = true,
            "-o" | "--output" => {
                name = Some(value(&mut it, a, "a NAME for NAME.pub and NAME.sec")?.clone())
            }
            other => return Err(format!("keygen: unknown argument {other:?}\n{USAGE}")),
        }
    }
    let name = name.ok_or("keygen: no -o NAME given (writes NAME.pub and NAME.sec)")?;
    let kdf = match (&passphrase_file, no_passphrase, kdf_name.as_deref()) {
        (Some(_), true, _) => {
            return Err(
                "keygen: give either --passphrase-file or --no-passphrase, not both".into(),
            );
        }
        (None, false, _) => {
            return Err(
                "keygen: give --passphrase-file F (the secret key is protected by the first line \
                 of F) or --no-passphrase (the secret key is stored unprotected)"
                    .into(),
            );
        }
        (None, true, None | Some("none")) => Kdf::None,
        (None, true, Some(other)) => {
            return Err(format!(
                "keygen: --kdf {other} protects a key with a passphrase, but --no-passphrase \
                 was given"
            ));
        }
        (Some(_), false, name) => match Kdf::by_name(name.unwrap_or("scrypt")) {
            Some(Kdf::None) => {
                return Err(
                    "keygen: --kdf none stores the key unprotected: use --no-passphrase".into(),
                );
            }
            Some(kdf) => kdf,
            None => {
                return Err(format!(
                    "keygen: unknown --kdf {:?} (scrypt, bcrypt or pbkdf2_hmac_sha256)",
                    name.unwrap_or_default()
                ));
            }
        },
    };
    let public_path = format!("{name}.pub");
    let secret_path = format!("{name}.sec");
    if !force {
        for path in [&public_path, &secret_path] {
            if Path::new(path).exists() {
                return Err(format!(
                    "keygen: {path} already exists; give -f to overwrite it"
                ));
            }
        }
    }
    let passphrase = passphrase_file
        .as_deref()
        .map(keys::read_passphrase)
        .transpose()?;
    let key = SecretKey::generate().map_err(|e| format!("keygen: {e}"))?;
    let secret_text = Zeroizing::new(
        key.to_file(
            kdf,
            passphrase.as_ref().map(|p| p.as_slice()),
            comment.as_deref(),
        )
        .map_err(|e| format!("keygen: {e}"))?,
    );
    drop(passphrase);
    let public_text = key.public().to_file();

    // Both files are complete on disk before either takes its name.
    let mut secret = PendingFile::create(Path::new(&secret_path), Access::Private)?;
    secret
        .file()
        .write_all(secret_text.as_bytes())
        .map_err(|e| format!("cannot write {secret_path}: {e}"))?;
    let mut public = PendingFile::create(Path::new(&public_path), Access::Default)?;
    public
        .file()
        .write_all(public_text.as_bytes())
        .map_err(|e| format!("cannot write {public_path}: {e}"))?;
    secret.commit()?;
    public.commit()?;
    let protection = match kdf {
        Kdf::None => "not protected by a passphrase".to_string(),
        kdf => format!("protected by a passphrase, {}", kdf.name()),
    };
    eprintln!("enclave: wrote {public_path} and {secret_path} ({protection})");
    Ok(())
}
