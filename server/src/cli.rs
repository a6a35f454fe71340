//! Command-line arguments of the `enclave-server` binary, parsed by hand from `std::env::args_os`:
//!
//! ```text
//! enclave-server --dist DIR --db PATH [--addr 127.0.0.1:8080]
//! ```
//!
//! `main.rs` parses, then hands the [`Args`] to [`crate::run`].

use std::ffi::OsString;
use std::net::{AddrParseError, SocketAddr};
use std::path::PathBuf;

/// One-line usage, printed with `--help` and after an argument error.
pub const USAGE: &str = "usage: enclave-server --dist DIR --db PATH [--addr 127.0.0.1:8080]";

/// The address bound when `--addr` is not given: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve(Args),
    Help,
}

/// Arguments of a serving run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The built app to serve.
    pub dist: PathBuf,
    /// The SQLite metadata database (created with its parent directory when missing).
    pub db: PathBuf,
    /// The socket address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    #[error("unknown argument {0:?}")]
    UnknownArgument(String),
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    #[error("{0} was given twice")]
    Duplicate(&'static str),
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("--addr {value:?} is not a socket address such as 127.0.0.1:8080")]
    InvalidAddress {
        value: String,
        #[source]
        source: AddrParseError,
    },
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, CliError> {
    let mut dist = None;
    let mut db = None;
    let mut addr: Option<OsString> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        let (flag, inline_value) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(OsString::from(value))),
            _ => (text.as_ref(), None),
        };
        let (flag, slot) = match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "--dist" => ("--dist", &mut dist),
            "--db" => ("--db", &mut db),
            "--addr" => ("--addr", &mut addr),
            _ => return Err(CliError::UnknownArgument(text.into_owned())),
        };
        let value = match inline_value {
            Some(value) => value,
            // `--dist --db x` is a forgotten value, not a directory named `--db`.
            None => args
                .next()
                .filter(|value| !value.to_string_lossy().starts_with("--"))
                .ok_or(CliError::MissingValue(flag))?,
        };
        if value.is_empty() {
            return Err(CliError::MissingValue(flag));
        }
        if slot.replace(value).is_some() {
            return Err(CliError::Duplicate(flag));
        }
    }
    let addr_text = addr
        .map(|value| value.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let addr = addr_text
        .parse()
        .map_err(|source| CliError::InvalidAddress {
            value: addr_text,
            source,
        })?;
    Ok(Command::Serve(Args {
        dist: dist.ok_or(CliError::Missing("--dist"))?.into(),
        db: db.ok_or(CliError::Missing("--db"))?.into(),
        addr,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, CliError> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults_to_loopback_8080() {
        let Command::Serve(args) = parse_strs(&["--dist", "dist", "--db", "data/e.db"]).unwrap()
        else {
            panic!("expected serve");
        };
        assert_eq!(args.dist, PathBuf::from("dist"));
        assert_eq!(args.db, PathBuf::from("data/e.db"));
        assert_eq!(args.addr, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn accepts_addr_and_equals_form() {
        let parsed = parse_strs(&["--addr=127.0.0.1:0", "--db=x.db", "--dist", "d"]).unwrap();
        assert_eq!(
            parsed,
            Command::Serve(Args {
                dist: "d".into(),
                db: "x.db".into(),
                addr: "127.0.0.1:0".parse().unwrap(),
            })
        );
        let Command::Serve(args) =
            parse_strs(&["--dist", "d", "--db", "x", "--addr", "[::1]:9"]).unwrap()
        else {
            panic!("expected serve");
        };
        assert_eq!(args.addr, "[::1]:9".parse().unwrap());
    }

    #[test]
    fn help() {
        assert_eq!(parse_strs(&["--help"]).unwrap(), Command::Help);
        assert_eq!(parse_strs(&["--dist", "d", "-h"]).unwrap(), Command::Help);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_strs(&["--db", "x"]), Err(CliError::Missing("--dist")));
        assert_eq!(parse_strs(&["--dist", "d"]), Err(CliError::Missing("--db")));
        assert_eq!(
            parse_strs(&["--dist"]),
            Err(CliError::MissingValue("--dist"))
        );
        assert_eq!(
            parse_strs(&["--dist", "--db", "x"]),
            Err(CliError::MissingValue("--dist"))
        );
        assert_eq!(
            parse_strs(&["--dist=", "--db", "x"]),
            Err(CliError::MissingValue("--dist"))
        );
        assert_eq!(
            parse_strs(&["--dist", "a", "--dist", "b"]),
            Err(CliError::Duplicate("--dist"))
        );
        assert_eq!(
            parse_strs(&["--port", "1"]),
            Err(CliError::UnknownArgument("--port".to_owned()))
        );
        assert!(matches!(
            parse_strs(&["--dist", "d", "--db", "x", "--addr", "localhost:80"]),
            Err(CliError::InvalidAddress { .. })
        ));
    }
}
