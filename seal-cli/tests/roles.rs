//! Roles through the CLI: the CA issues seal makers and trust-list signers; a seal made by
//! an agency's own certificate, or a trust list signed by the provincial CA, does not
//! verify unless the verifier names that signer. OpenSSL reads the role OIDs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use seal_core::pki::role::Role;

#[test]
fn roles_decide_who_makes_seals_and_signs_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    // The maker's certificate names the seal-maker role; OpenSSL reads and verifies it.
    let ext = ok(d, "openssl", &["x509", "-in", "maker.pem", "-noout", "-ext", "extendedKeyUsage"]);
    assert!(ext.contains(Role::SealMaker.oid()), "{ext}");
    ok(
        d,
        "openssl",
        &["verify", "-CAfile", "root/ca.pem", "-untrusted", "prov/ca.pem", "maker.pem"],
    );
    // An agency's own seal certificate makes a seal for itself.
    let new = [
        "seal",
        "new",
        "--maker-key",
        "rsa.key",
        "--maker-cert",
        "rsa.pem",
        "--holder-cert",
        "p384.pem",
        "--name",
        "Ministry of Public Security",
        "--id",
        "forged",
        "--draw",
        "--out",
        "forged.esl",
    ];
    seal_ok(d, &new);
    let out = seal(d, &["--json", "seal", "verify", "forged.esl", "--trust", "root/ca.pem"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert!(r.to_string().contains("not known as a seal-making authority"), "{r:#}");
    let named = [
        "--json",
        "seal",
        "verify",
        "forged.esl",
        "--trust",
        "root/ca.pem",
        "--seal-maker",
        "rsa.pem",
    ];
    let out = seal(d, &named);
    assert_eq!(out.status.code(), Some(0), "{:#}", json(&out));
    // A trust list signed by the provincial CA; then by a trust-list signer.
    seal_ok(d, &["key", "new", "--alg", "p256", "--out", "lists.key"]);
    let csr = [
        "csr",
        "--key",
        "lists.key",
        "--cn",
        "List Authority",
        "--org",
        "Seal Authority",
        "--country",
        "VN",
        "--org-id",
        "0100000000",
        "--out",
        "lists.csr",
    ];
    seal_ok(d, &csr);
    seal_ok(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "prov",
            "--csr",
            "lists.csr",
            "--profile",
            "trust-list-signer",
            "--out",
            "lists.pem",
        ],
    );
    let build = [
        "trust-list",
        "build",
        "--name",
        "VN",
        "--sequence",
        "1",
        "--days",
        "7",
        "--issuer",
        "p384.pem:business-licence",
        "--out",
        "list.json",
    ];
    seal_ok(d, &build);
    for (key, cert, passes) in
        [("prov/ca.key", "prov/ca.pem", false), ("lists.key", "lists.pem", true)]
    {
        seal_ok(
            d,
            &[
                "trust-list",
                "sign",
                "list.json",
                "--key",
                key,
                "--cert",
                cert,
                "--out",
                "vn.tl",
                "--force",
            ],
        );
        let out = seal(
            d,
            &[
                "--json",
                "trust-list",
                "verify",
                "vn.tl",
                "--trust",
                "root/ca.pem",
                "--untrusted",
                "prov/ca.pem",
            ],
        );
        let r = json(&out);
        assert_eq!(out.status.code() == Some(0), passes, "{cert}: {r:#}");
        if !passes {
            assert!(r.to_string().contains("may not sign trust lists"), "{r:#}");
        }
    }
}
