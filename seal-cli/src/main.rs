//! `seal`: the command-line front end of `seal-core`. Parses arguments, calls one core
//! function per command, prints the result. No logic lives here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;
mod cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use seal_core::Error;

/// What a command produced: text for people, JSON for scripts, and whether a
/// verification passed.
pub struct Outcome {
    /// Human-readable result.
    pub text: String,
    /// The same as JSON.
    pub json: serde_json::Value,
    /// False when something was verified and found invalid or indeterminate (exit 1).
    pub passed: bool,
    /// Set when some items of a batch failed: the output is written (text or JSON), then
    /// this error (exit 2).
    pub error: Option<Error>,
}

impl Outcome {
    /// A successful outcome.
    pub fn ok(text: impl Into<String>, json: serde_json::Value) -> Outcome {
        Outcome { text: text.into(), json, passed: true, error: None }
    }

    /// A batch of which some items failed: the output, then `error` (exit 2).
    pub fn partial(text: impl Into<String>, json: serde_json::Value, error: Error) -> Outcome {
        Outcome { text: text.into(), json, passed: false, error: Some(error) }
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let json = cli.json;
    match cmd::run(cli.command) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            let written = if json {
                writeln!(stdout, "{}", outcome.json)
            } else if outcome.text.is_empty() {
                Ok(())
            } else {
                write!(stdout, "{}", outcome.text)
            };
            // A closed pipe (`seal ... | head`) is not an error.
            if let Err(e) = written.and_then(|_| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("seal: error: cannot write output: {e}");
                return ExitCode::from(2);
            }
            if let Some(err) = outcome.error {
                eprintln!("seal: error: {err}");
                return ExitCode::from(2);
            }
            if outcome.passed { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(err) => {
            eprintln!("seal: error: {err}");
            if let Some(hint) = hint(&err) {
                eprintln!("seal: hint: {hint}");
            }
            ExitCode::from(2)
        }
    }
}

fn hint(err: &Error) -> Option<&'static str> {
    match err.root() {
        Error::PassphraseRequired => Some(
            "pass --passphrase-env VAR, --passphrase-file FILE or --passphrase-prompt \
             (a passphrase is never taken on the command line)",
        ),
        Error::WrongPassphrase => Some("check the passphrase source; the key file is unchanged"),
        Error::AlreadyExists { .. } => Some("pass --force to replace it"),
        Error::Ca(seal_core::error::CaError::NotACa) => {
            Some("create one with `seal ca new --dir DIR ...`")
        }
        _ => None,
    }
}
