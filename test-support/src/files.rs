//! Files the native tests read and write: the workspace's `testdata/`, the shared conformance
//! corpus (`ENCLAVE_SHARED_TESTDATA`, else `../shared/testdata` beside the workspace), every file
//! under a folder, temporary folders that remove themselves ([`TempDir`]), reads and writes that
//! fail the test naming the path, and `ENCLAVE_BLESS=1` for tests that regenerate their
//! committed expectations.
//!
//! Native only; the browser tests compile their files in with [`crate::testdata_bytes!`].

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// The workspace root (every crate sits directly under it, this one too).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support sits in the workspace")
}

/// The workspace's `testdata/` folder (third-party files with their licences; testdata/README.md).
pub fn testdata_dir() -> PathBuf {
    workspace_root().join("testdata")
}

/// The path of `rel` under `testdata/`.
pub fn testdata_path(rel: &str) -> PathBuf {
    testdata_dir().join(rel)
}

/// The bytes of `rel` under `testdata/`.
pub fn testdata(rel: &str) -> Vec<u8> {
    read(&testdata_path(rel))
}

/// The shared conformance corpus: `ENCLAVE_SHARED_TESTDATA` when set (it must be a folder: a
/// wrong setting fails the test rather than skipping it), else `../shared/testdata` beside the
/// workspace when it is there, else `None`.
pub fn shared_testdata() -> Option<PathBuf> {
    match std::env::var_os("ENCLAVE_SHARED_TESTDATA") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "ENCLAVE_SHARED_TESTDATA={} is not a directory",
                dir.display()
            );
            Some(dir)
        }
        _ => {
            let dir = workspace_root().join("../shared/testdata");
            dir.is_dir().then_some(dir)
        }
    }
}

/// [`shared_testdata`], or `None` after a notice that `test` is skipped for want of it.
pub fn shared_testdata_or_skip(test: &str) -> Option<PathBuf> {
    let dir = shared_testdata();
    if dir.is_none() {
        eprintln!(
            "notice: {test}: skipped: ../shared/testdata is absent and ENCLAVE_SHARED_TESTDATA is not set"
        );
    }
    dir
}

/// Every file under `dir`, recursively, in path order (a folder that cannot be read fails the
/// test, naming it).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    entries
        .into_iter()
        .flat_map(|path| {
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// The names in `dir`, sorted: shows what a failed command left behind, temporary files included.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The bytes of `path`; a failure names the path.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Writes `bytes` to `path`; a failure names the path.
pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Whether the run regenerates committed expectations (`ENCLAVE_BLESS=1`) instead of comparing
/// with them.
pub fn blessing() -> bool {
    std::env::var_os("ENCLAVE_BLESS").is_some_and(|v| v == "1")
}

/// A fresh, empty folder under the system's temporary folder, removed with everything in it when
/// dropped. It dereferences to its [`Path`], so `dir.join(…)` and `&dir` as a `&Path` work.
#[derive(Debug)]
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// A new folder named `enclave-LABEL-…` (a unique suffix follows), so a leftover of a killed
    /// run says which test made it.
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("enclave-{label}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder for {label}: {e}"));
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.path()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn testdata_is_found_from_any_crate() {
        assert!(testdata_dir().join("README.md").is_file());
        let vcf = testdata("vcfpy/tests/vcfs/full_vcf43.vcf");
        assert!(vcf.starts_with(b"##fileformat=VCFv4.3"));
        let files = files_under(&testdata_path("vcfpy/tests/vcfs"));
        assert!(files.windows(2).all(|w| w[0] < w[1]), "in path order");
        assert!(files.contains(&testdata_path("vcfpy/tests/vcfs/full_vcf43.vcf.gz")));
    }

    #[test]
    fn a_temporary_folder_is_removed_with_its_files() {
        let dir = TempDir::new("files-test");
        let kept = dir.to_path_buf();
        assert!(
            kept.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("enclave-files-test-")
        );
        write(&dir.join("a.txt"), b"a");
        std::fs::create_dir(dir.join("sub")).unwrap();
        write(&dir.join("sub/b.txt"), b"b");
        assert_eq!(names_in(&dir), ["a.txt", "sub"]);
        assert_eq!(read(&dir.join("sub/b.txt")), b"b");
        drop(dir);
        assert!(!kept.exists(), "{} is still there", kept.display());
    }
}
