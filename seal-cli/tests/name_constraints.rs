//! Name constraints (RFC 5280 §4.2.1.10), enforced as OpenSSL enforces them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

/// A CA constrained to `gov.vn` names (critical nameConstraints, as OpenSSL writes them):
/// a certificate under it with names inside passes, one with a name outside fails, and
/// OpenSSL says the same of each.
#[test]
fn name_constraints_are_enforced_as_openssl_enforces_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    std::fs::write(
        d.join("nc.cnf"),
        "[ca]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n\
         keyUsage = critical, keyCertSign, cRLSign\n\
         nameConstraints = critical, permitted;DNS:gov.vn, permitted;email:.gov.vn, \
         permitted;dirName:dir_sect, excluded;DNS:secret.gov.vn\n\
         [dir_sect]\nC = VN\n\
         [good]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:hanoi.gov.vn, email:clerk@hanoi.gov.vn\n\
         [bad_dns]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:hanoi.example.com\n\
         [excluded]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:a.secret.gov.vn\n",
    )
    .unwrap();
    openssl_issue_p256(d, "nc", "/C=VN/CN=Constrained CA", "root", "nc.cnf", "ca");
    for (name, subject, ext, passes) in [
        ("good", "/C=VN/CN=Hanoi", "good", true),
        ("bad-dns", "/C=VN/CN=Elsewhere", "bad_dns", false),
        ("bad-dir", "/C=FR/CN=Paris", "good", false),
        ("excluded", "/C=VN/CN=Secret", "excluded", false),
    ] {
        openssl_issue_p256(d, name, subject, "nc", "nc.cnf", ext);
        let pem = format!("{name}.pem");
        let o = run(d, "openssl", &["verify", "-CAfile", "root.pem", "-untrusted", "nc.pem", &pem]);
        assert_eq!(
            o.status.success(),
            passes,
            "openssl on {name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let out = seal(
            d,
            &["--json", "cert", "verify", &pem, "--trust", "root.pem", "--untrusted", "nc.pem"],
        );
        let r = json(&out);
        assert_eq!(out.status.code() == Some(0), passes, "seal on {name}: {r:#}");
        if !passes {
            assert!(
                r.to_string().contains("name constraints")
                    || r.to_string().contains("name-constraints"),
                "{name}: {r:#}"
            );
        }
    }
}
