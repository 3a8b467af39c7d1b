//! Writes seed inputs that only the fuzzing fixture's PKI can make verify, so that the
//! fuzzers start from inputs that pass every check: a CMS signature over the content the
//! `cms` target hashes, a GB/T 38540 stamp, a stamped PDF and JSON document, a status list,
//! the fixture's certificates and keys. `fuzz/run.sh` adds the vectors and `seal demo`'s
//! files. Usage: `seeds DIR` (writes DIR/TARGET/NAME). Built with the targets (cargo fuzz
//! build), so that no second build is needed.

use std::path::Path;

// Linked for libFuzzer's coverage callbacks, which the instrumented code calls: a build
// without a sanitizer (`SANITIZER=none`) has no runtime that would supply them.
use libfuzzer_sys as _;

use seal_core::digest::HashAlg;
use seal_core::keys::Signer;

fn put(dir: &Path, target: &str, name: &str, data: &[u8]) {
    let d = dir.join(target);
    std::fs::create_dir_all(&d).expect("seed directory");
    std::fs::write(d.join(name), data).expect("seed written");
}

fn main() -> seal_core::Result<()> {
    let dir = std::env::args().nth(1).expect("usage: seeds DIR");
    let dir = Path::new(&dir);
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    let digest = HashAlg::Sha256.hash(b"stamped content\n");
    put(dir, "cms", "detached.p7s", &seal_core::stamp::cms::sign_digest(&digest, &f.key(), at)?);
    let hash: [u8; 32] = digest.as_slice().try_into().expect("32 bytes");
    let stamp =
        seal_core::seal::make_stamp(&f.seal, &hash, "content", at, &f.agency_key, &f.agency)?;
    put(dir, "ses", "stamp.ses", &stamp);
    put(dir, "ses", "seal.esl", f.seal.to_der());
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/pdf/gs-3pages.pdf"))
        .expect("the sample PDF");
    let opts = seal_core::pdf::StampOptions::default();
    let (stamped, _) = seal_core::pdf::stamp_to_vec(&pdf, &f.key(), &f.appearance, &opts, at)?;
    put(dir, "pdf_verify", "fixture-stamped.pdf", &stamped);
    put(dir, "pdf_stamp", "fixture-stamped.pdf", &stamped);
    let mut doc = serde_json::json!({"licence": "0101234567", "holder": {"name": "Nguyễn Văn A"}});
    seal_core::stamp::json::stamp(&mut doc, &f.key(), at)?;
    put(dir, "json", "stamped.json", &serde_json::to_vec_pretty(&doc).expect("JSON"));
    let list = seal_core::licence::trust::sign_status_list(
        &[3, 17],
        64,
        1,
        at,
        at.plus_days(1),
        &f.agency_key,
        &f.agency,
    )?;
    put(dir, "trust_list", "status.cose", &list);
    for (name, cert) in [("root", &f.root), ("prov", &f.prov), ("agency", &f.agency)] {
        let der = seal_core::pki::certificate_der(cert)?;
        put(dir, "x509", &format!("{name}.der"), &der);
        put(dir, "der_tree", &format!("{name}.der"), &der);
    }
    put(dir, "keys", "agency.p8", &f.agency_key.to_pkcs8_der()?);
    put(dir, "keys", "agency.spki", &f.agency_key.public_key().to_spki_der()?);
    Ok(())
}
