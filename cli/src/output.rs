//! Output files that appear whole or not at all.
//!
//! `decrypt -o`, `encrypt -o` and `keygen` write into a temporary file beside the target and rename
//! it into place only when everything succeeded. A segment that fails authentication half-way, a
//! wrong passphrase or a full disk therefore never leaves a truncated plaintext, ciphertext or key
//! file where a script would take it for the real one; an existing target is left untouched.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Distinguishes the temporary files of one process (keygen writes two at once).
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A file being written to a temporary name; [`PendingFile::commit`] renames it to the target,
/// dropping it uncommitted removes it.
pub struct PendingFile {
    target: PathBuf,
    temp: PathBuf,
    file: File,
    committed: bool,
}

/// Who may read a file Enclave writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The process umask decides (ciphertext, public keys).
    Default,
    /// Owner only, mode 0600 (secret keys, decrypted plaintext: a genome is personal data).
    Private,
}

impl PendingFile {
    /// Creates the temporary file in the target's directory, so the final rename stays on one
    /// file system and is atomic.
    pub fn create(target: &Path, access: Access) -> Result<Self, String> {
        let name = target
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", target.display()))?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = dir.join(format!(
            ".{}.{}-{}.partial",
            name.to_string_lossy(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if access == Access::Private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&temp)
            .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
        Ok(Self {
            target: target.to_path_buf(),
            temp,
            file,
            committed: false,
        })
    }

    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes the data to disk and moves the file to its target name, replacing what was there.
    pub fn commit(mut self) -> Result<(), String> {
        let failed = |e: io::Error| format!("cannot write {}: {e}", self.target.display());
        self.file.sync_all().map_err(failed)?;
        fs::rename(&self.temp, &self.target).map_err(failed)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the error that made us give up is the one worth reporting.
            let _ = fs::remove_file(&self.temp);
        }
    }
}
