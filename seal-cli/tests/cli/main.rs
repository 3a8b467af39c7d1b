//! The `seal` command end to end: every command, its exit codes, its errors, and
//! OpenSSL checking what it writes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod documents;
mod keys;
mod licences;
mod pki;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn seal(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(args)
        .current_dir(dir)
        .env_remove("SEAL_PASS")
        .env("SEAL_STATE_DIR", dir.join(".seal-state"))
        .output()
        .expect("seal runs")
}

fn seal_env(dir: &Path, args: &[&str], var: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(args)
        .current_dir(dir)
        .env("SEAL_STATE_DIR", dir.join(".seal-state"))
        .env(var, value)
        .output()
        .expect("seal runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").args(args).current_dir(dir).output().expect("openssl is installed")
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pki/openssl")
}

/// Runs the demo in `d` and returns the trust arguments for its PKI.
fn demo_pki(d: &Path) -> Vec<String> {
    ok(&seal(d, &["demo", "--dir", "pki"]));
    ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"].map(String::from).to_vec()
}

fn with(args: &[&str], extra: &[String]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).chain(extra.iter().cloned()).collect()
}

fn run(d: &Path, args: &[String]) -> Output {
    seal(d, &args.iter().map(String::as_str).collect::<Vec<_>>())
}
