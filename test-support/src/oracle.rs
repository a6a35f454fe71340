//! The oracles the tests compare Enclave with, and what happens when one is missing: bcftools,
//! bgzip and tabix on `PATH` (Debian's htslib 1.16 tools), and the reference Crypt4GH CLI
//! (PyPI `crypt4gh` 1.8.6) in `tools/crypt4gh-venv`, both installed by `cargo xtask bootstrap`.
//!
//! A test whose oracle is missing prints a notice and passes, except under CI (`CI` set), where a
//! test that silently skips would hide a broken bootstrap, so it fails ([`available`]). Tests
//! that must never skip use [`require`].
//!
//! Native only.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::files::{workspace_root, write};
use crate::process::{assert_success, shown};

/// Whether the build runs under CI, where a missing oracle fails instead of skipping.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Whether `tool --version` runs and succeeds.
pub fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether every one of `tools` is installed; if not, a notice that `test` is skipped, or under
/// CI a failure naming what is missing.
pub fn available(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !installed(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not installed (`cargo xtask bootstrap` installs it)",
        missing.join(", ")
    );
    assert!(
        !under_ci(),
        "{test}: the oracle must be there under CI: {why}"
    );
    eprintln!("notice: {test}: skipped: {why}");
    false
}

/// Fails the test (never skips) unless `tool --version` succeeds: for tests whose whole point is
/// the comparison.
pub fn require(tool: &str) {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`{tool} --version` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "{tool} is not on PATH ({e}): the differential tests use it as their oracle. \
             Run `cargo xtask bootstrap` to install it (CI has it)."
        ),
    }
}

/// The reference Crypt4GH CLI's two commands: `crypt4gh` and `crypt4gh-keygen` beside it.
#[derive(Debug, Clone)]
pub struct Crypt4ghReference {
    pub crypt4gh: PathBuf,
    pub keygen: PathBuf,
}

impl Crypt4ghReference {
    /// `tools/crypt4gh-venv/bin/crypt4gh`, or the path in `ENCLAVE_CRYPT4GH_PY`; `None` (after a
    /// notice) when it is missing, except under CI, where that fails the test.
    pub fn find() -> Option<Self> {
        let crypt4gh = match std::env::var_os("ENCLAVE_CRYPT4GH_PY") {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => workspace_root().join("tools/crypt4gh-venv/bin/crypt4gh"),
        };
        let keygen = crypt4gh.with_file_name("crypt4gh-keygen");
        if crypt4gh.is_file() && keygen.is_file() {
            return Some(Self { crypt4gh, keygen });
        }
        let why = format!(
            "the reference Crypt4GH CLI is missing ({} and crypt4gh-keygen beside it): run \
             `cargo xtask bootstrap`, or set ENCLAVE_CRYPT4GH_PY to a `crypt4gh` 1.8.6",
            crypt4gh.display()
        );
        assert!(!under_ci(), "{why}");
        eprintln!("notice: skipping the round trips with the reference implementation: {why}");
        None
    }

    /// A reference command with a clean Crypt4GH environment: its `C4GH_*` defaults would
    /// otherwise change which key it uses.
    pub fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for var in [
            "C4GH_SECRET_KEY",
            "C4GH_PUBLIC_KEY",
            "C4GH_PASSPHRASE",
            "C4GH_LOG",
            "C4GH_DEBUG",
        ] {
            command.env_remove(var);
        }
        command
    }

    /// `crypt4gh ARGS < input`, with the secret key's passphrase in `C4GH_PASSPHRASE` (the
    /// reference's non-interactive way); fails the test unless it succeeds.
    pub fn run(&self, args: &[&OsStr], passphrase: Option<&str>, input: &Path) -> Vec<u8> {
        let mut command = self.command(&self.crypt4gh);
        command
            .args(args)
            .stdin(std::fs::File::open(input).expect("the input exists"));
        if let Some(passphrase) = passphrase {
            command.env("C4GH_PASSPHRASE", passphrase);
        }
        let out = command.output().expect("the reference crypt4gh runs");
        assert_success(&out, &format!("crypt4gh {}", shown(args)));
        out.stdout
    }

    /// [`Crypt4ghReference::run`], writing the output to `output`.
    pub fn run_into(&self, args: &[&OsStr], passphrase: Option<&str>, input: &Path, output: &Path) {
        write(output, &self.run(args, passphrase, input));
    }

    /// `crypt4gh encrypt --recipient_pk RECIPIENT EXTRA… < input > output`: from an anonymous
    /// sender (a one-off key).
    pub fn encrypt_anonymously(
        &self,
        recipient: &Path,
        extra: &[&OsStr],
        input: &Path,
        output: &Path,
    ) {
        let mut args = vec![
            "encrypt".as_ref(),
            "--recipient_pk".as_ref(),
            recipient.as_os_str(),
        ];
        args.extend_from_slice(extra);
        self.run_into(&args, None, input, output);
    }

    /// `crypt4gh-keygen -C COMMENT --sk SECRET --pk PUBLIC`, protected by `passphrase` (scrypt,
    /// all the reference writes) or not (`--nocrypt`).
    pub fn keygen(&self, secret: &Path, public: &Path, comment: &str, passphrase: Option<&str>) {
        // `crypt4gh-keygen` asks with getpass, which prefers the controlling terminal: run it in
        // a new session (through the venv's Python) so it reads the passphrase from stdin even
        // when the tests run in a terminal.
        let python = self.crypt4gh.with_file_name("python");
        let python = if python.is_file() {
            python
        } else {
            PathBuf::from("python3")
        };
        let mut command = self.command(&python);
        command
            .args([
                "-c",
                "import os, sys; os.setsid(); os.execv(sys.argv[1], sys.argv[1:])",
            ])
            .arg(&self.keygen)
            .args(["-f", "-C", comment, "--sk"])
            .arg(secret)
            .arg("--pk")
            .arg(public)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if passphrase.is_none() {
            command.arg("--nocrypt");
        }
        let mut child = command.spawn().expect("crypt4gh-keygen runs");
        {
            let mut stdin = child.stdin.take().expect("piped stdin");
            if let Some(passphrase) = passphrase {
                write!(stdin, "{passphrase}\n{passphrase}\n").expect("keygen reads its passphrase");
            }
        }
        let out = child.wait_with_output().expect("crypt4gh-keygen ends");
        assert_success(&out, &format!("crypt4gh-keygen for {comment}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_is_not_installed() {
        assert!(!installed("enclave-no-such-tool"));
    }

    #[test]
    #[should_panic(expected = "enclave-no-such-tool is not on PATH")]
    fn a_required_tool_that_is_missing_fails() {
        require("enclave-no-such-tool");
    }
}
