//! The `enclave-server` binary: parses the command line and runs [`enclave_server::run`].
//! Everything else lives in the library so tests can build the same router.

use std::error::Error;
use std::process::ExitCode;

use enclave_server::cli::{self, Command, USAGE};

fn main() -> ExitCode {
    let args = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Command::Serve(args)) => args,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("enclave-server: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("enclave-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(enclave_server::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = format!("enclave-server: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
