//! `seal extend`: validation data and a new document timestamp for stamped PDFs.

use std::fmt::Write;

use seal_core::pdf::{self, LongTerm};
use seal_core::time::UnixTime;
use seal_core::{Error, Result};
use serde_json::json;

use super::invalid;
use crate::Outcome;
use crate::cli::ExtendArgs;

pub fn run(a: &ExtendArgs) -> Result<Outcome> {
    if a.out.is_some() && a.files.len() > 1 {
        return Err(invalid("--out names one output: give one file, or use --in-place"));
    }
    if a.out.is_none() && !a.in_place {
        return Err(invalid("say where the extended document goes: --out FILE or --in-place"));
    }
    let timestamper = super::tsa::timestamper(&a.tsa)?;
    if timestamper.is_none() && !a.no_timestamp {
        return Err(invalid(
            "a document timestamp needs a TSA: give --tsa URL or --tsa-dir DIR \
             (or --no-timestamp to add validation data only)",
        ));
    }
    let sources = a.long_term.sources(&[])?;
    let lt = LongTerm { sources: &sources, archive: timestamper.as_deref() };
    let mut text = String::new();
    let mut done = Vec::new();
    let mut failed = 0;
    for file in &a.files {
        let (out, force) = match &a.out {
            Some(out) => (out.as_path(), a.force),
            None => (file.as_path(), true),
        };
        let ext = match pdf::extend(file, out, &lt, UnixTime::now(), force) {
            Ok(ext) => ext,
            // One file: its error is the command's. Many: say it, and go on with the rest.
            Err(e) if a.files.len() == 1 => return Err(e),
            Err(e) => {
                eprintln!("seal: error: {e}");
                failed += 1;
                continue;
            }
        };
        for note in &ext.notes {
            eprintln!("seal: warning: {}: {note}", file.display());
        }
        let _ = writeln!(
            text,
            "extended {} -> {}: {} signature(s); added {} certificate(s), {} CRL(s), {} OCSP \
             response(s){}",
            file.display(),
            out.display(),
            ext.signatures,
            ext.added.certs,
            ext.added.crls,
            ext.added.ocsp,
            if ext.document_timestamp { " and a document timestamp" } else { "" }
        );
        done.push(json!({"file": file, "out": out, "extended": ext}));
    }
    let json = json!({"extended": done});
    if failed > 0 {
        let error = Error::InvalidInput(format!(
            "{failed} of {} files could not be extended",
            a.files.len()
        ));
        return Ok(Outcome::partial(text, json, error));
    }
    Ok(Outcome::ok(text, json))
}
