//! Small helpers shared by the subcommands: the error type, the workspace root, and [`Cmd`], which
//! runs an external program after echoing its command line, so every failure names the exact
//! command a developer can paste into a shell to reproduce it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::SystemTime;

/// An error a person reads: one line that says what failed and, where it helps, what to do.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Wraps an I/O error with the action and path it happened on.
pub fn io_error(action: &str, path: &Path, error: io::Error) -> Error {
    Error::new(format!("{action} {}: {error}", path.display()))
}

/// The workspace root: the parent of xtask's own manifest directory, so xtask works from any cwd.
pub fn workspace_root() -> PathBuf {
    // `cargo run` sets CARGO_MANIFEST_DIR at run time too; the compile-time value is the fallback
    // for a binary started directly.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("src/main.rs").is_file() && dir.ends_with("xtask"))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, otherwise `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The cargo that started us (so nested builds use the same toolchain), else `cargo` on PATH.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// Finds an executable by name on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The modification time of a file, or `None` when it does not exist.
pub fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

/// A command line to run: program, arguments, working directory and extra environment.
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    envs: BTreeMap<String, OsString>,
    /// Variables of our own environment the command must not inherit.
    removed: Vec<String>,
}

impl Cmd {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            envs: BTreeMap::new(),
            removed: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.envs.insert(key.to_owned(), value.into());
        self
    }

    /// Runs the command without `key` in its environment (shown as `env -u KEY`).
    pub fn env_remove(mut self, key: &str) -> Self {
        self.removed.push(key.to_owned());
        self
    }

    /// The command as a shell line: `(cd DIR && KEY=VALUE prog 'arg with space')`.
    pub fn line(&self) -> String {
        let mut words: Vec<String> = Vec::new();
        if !self.removed.is_empty() {
            words.push("env".to_owned());
            words.extend(self.removed.iter().map(|key| format!("-u {key}")));
        }
        words.extend(
            self.envs
                .iter()
                .map(|(key, value)| format!("{key}={}", quote(&value.to_string_lossy()))),
        );
        // The cargo that runs xtask is shown as `cargo`: rustup resolves the same toolchain here.
        let program = if std::env::var_os("CARGO").as_ref() == Some(&self.program) {
            "cargo".into()
        } else {
            self.program.to_string_lossy()
        };
        words.push(quote(&program));
        words.extend(self.args.iter().map(|arg| quote(&arg.to_string_lossy())));
        let line = words.join(" ");
        match &self.cwd {
            Some(dir) => format!("(cd {} && {line})", quote(&dir.to_string_lossy())),
            None => line,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        for key in &self.removed {
            command.env_remove(key);
        }
        command.args(&self.args).envs(&self.envs);
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        command
    }

    fn spawn_error(&self, error: io::Error) -> Error {
        let hint = if error.kind() == io::ErrorKind::NotFound {
            " (program not found: is it installed and on PATH?)"
        } else {
            ""
        };
        Error::new(format!("cannot run `{}`: {error}{hint}", self.line()))
    }

    fn status_error(&self, status: ExitStatus) -> Error {
        let how = match status.code() {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".to_owned(),
        };
        Error::new(format!("command failed ({how}): {}", self.line()))
    }

    /// Echoes the command line, runs it with inherited stdio, and fails unless it exits 0.
    pub fn run(&self) -> Result<()> {
        println!("$ {}", self.line());
        let status = self
            .command()
            .stdin(Stdio::null())
            .status()
            .map_err(|error| self.spawn_error(error))?;
        if status.success() {
            Ok(())
        } else {
            Err(self.status_error(status))
        }
    }

    /// Runs quietly and returns stdout when the command exits 0; stderr is passed through.
    pub fn read(&self) -> Result<String> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|error| self.spawn_error(error))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(self.status_error(output.status))
        }
    }

    /// As [`Cmd::read`], for output that need not be text.
    pub fn read_bytes(&self) -> Result<Vec<u8>> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|error| self.spawn_error(error))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(self.status_error(output.status))
        }
    }

    /// Echoes the command line and runs it with stdout and stderr written to `log`; returns
    /// its exit status whatever it is (the caller reads the log).
    pub fn run_with_log(&self, log: fs::File) -> Result<ExitStatus> {
        println!("$ {}", self.line());
        let err = log
            .try_clone()
            .map_err(|error| Error::new(format!("cannot share the log file: {error}")))?;
        self.command()
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .status()
            .map_err(|error| self.spawn_error(error))
    }

    /// As [`Cmd::run_with_log`], also showing the command's stderr as it comes.
    pub fn run_showing_log(&self, mut log: fs::File) -> Result<ExitStatus> {
        use std::io::{BufRead, BufReader, Write};
        println!("$ {}", self.line());
        let mut child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| self.spawn_error(error))?;
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).split(b'\n') {
                let Ok(line) = line else { break };
                let _ = log.write_all(&line).and_then(|()| log.write_all(b"\n"));
                eprintln!("{}", String::from_utf8_lossy(&line));
            }
        }
        child
            .wait()
            .map_err(|error| Error::new(format!("waiting for `{}`: {error}", self.line())))
    }

    /// Runs quietly and returns stdout, or `None` when it cannot start or exits non-zero. For probes
    /// ("is this installed, which version?") where failure is an answer, not an error.
    pub fn probe(&self) -> Option<String> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Echoes the command line and spawns it with the given stdout; the caller waits.
    pub fn spawn(&self, stdout: Stdio) -> Result<std::process::Child> {
        println!("$ {}", self.line());
        self.command()
            .stdin(Stdio::null())
            .stdout(stdout)
            .spawn()
            .map_err(|error| self.spawn_error(error))
    }

    /// The error to report when a spawned child exited unsuccessfully.
    pub fn failed(&self, status: ExitStatus) -> Error {
        self.status_error(status)
    }
}

/// Quotes a word for a POSIX shell when it needs quoting.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Removes a directory tree if it exists.
pub fn remove_dir_all(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(io_error("cannot remove", path, error)),
    }
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|error| io_error("cannot create directory", path, error))
}

pub fn write_file(path: &Path, contents: &str) -> Result<()> {
    fs::write(path, contents).map_err(|error| io_error("cannot write", path, error))
}

/// Copies the tree `from` into `to` (created if missing), overwriting files of the same name.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    create_dir_all(to)?;
    let entries = fs::read_dir(from).map_err(|error| io_error("cannot read", from, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| io_error("cannot read", from, error))?;
        let source = entry.path();
        let destination = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|error| io_error("cannot stat", &source, error))?;
        if kind.is_dir() {
            copy_tree(&source, &destination)?;
        } else {
            // Follows symlinks on purpose: dist/ must hold real files.
            fs::copy(&source, &destination)
                .map_err(|error| io_error("cannot copy", &source, error))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries =
            fs::read_dir(&current).map_err(|error| io_error("cannot read", &current, error))?;
        for entry in entries {
            let path = entry
                .map_err(|error| io_error("cannot read", &current, error))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_leaves_plain_words_alone() {
        assert_eq!(quote("cargo"), "cargo");
        assert_eq!(quote("--profile=wasm-release"), "--profile=wasm-release");
    }

    #[test]
    fn quote_wraps_spaces_and_quotes() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn line_shows_cwd_and_env() {
        let cmd = Cmd::new("npm").arg("ci").cwd("/w/e2e").env("CI", "true");
        assert_eq!(cmd.line(), "(cd /w/e2e && CI=true npm ci)");
        let cmd = Cmd::new("cargo").env_remove("CARGO").env("A", "1");
        assert_eq!(cmd.line(), "env -u CARGO A=1 cargo");
    }
}
