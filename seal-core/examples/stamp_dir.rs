//! Stamps every file of a directory with an agency's seal, as a nightly batch job would:
//! PDFs and JSON documents get the stamp inside, other files a detached stamp beside them.
//!
//! ```sh
//! seal demo --dir demo
//! cargo run -p seal-core --example stamp_dir -- DIR demo/agency.esl demo/agency.key
//! ```
//!
//! The key's passphrase, if it has one, comes from the environment variable SEAL_PASS
//! (never from the command line). Every output is complete and synced before it is
//! reported; a file that fails is reported and the others go on. Exits 1 if any failed.

use std::process::ExitCode;

use seal_core::keys::{PrivateKey, Signer};
use seal_core::seal::Seal;
use seal_core::secret::PassphraseSource;
use seal_core::stamp::{self, Job, StampKey};
use seal_core::time::UnixTime;

fn run(args: &[String]) -> seal_core::Result<bool> {
    let [dir, seal, key] = args else {
        return Err(seal_core::Error::InvalidInput(
            "usage: stamp_dir DIR SEAL.esl KEY (passphrase in SEAL_PASS, if any)".into(),
        ));
    };
    let seal = Seal::load(seal.as_ref())?;
    let pass = match std::env::var_os("SEAL_PASS") {
        Some(_) => PassphraseSource::Env("SEAL_PASS".into()),
        None => PassphraseSource::None,
    };
    let key = PrivateKey::load(key.as_ref(), &pass)?;
    let cert = seal.holder_for(key.public_key())?;
    let stamp_key = StampKey { seal: &seal, signer: &key, cert: &cert, chain: &[] };
    let job = Job::new(stamp_key, UnixTime::now());
    let files = stamp::collect_files(&[dir.into()])?;
    let mut failed = 0;
    for item in stamp::stamp_many(&files, &job, &|| {}) {
        match item.result {
            Ok(out) => println!("{} -> {}", item.file.display(), out.display()),
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", item.file.display());
            }
        }
    }
    println!("{} stamped, {failed} failed", files.len() - failed);
    Ok(failed == 0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
