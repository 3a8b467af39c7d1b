//! Certificate authorities through the CLI, checked by OpenSSL, and OpenSSL-made keys, CSRs and
//! chains accepted.

use super::*;

#[test]
fn ca_lifecycle_checked_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for alg in ["ed25519", "p256"] {
        let root = format!("root-{alg}");
        let prov = format!("prov-{alg}");
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &root,
                "--alg",
                alg,
                "--cn",
                "Root",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
                "--path-len",
                "1",
            ],
        ));
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &prov,
                "--parent",
                &root,
                "--alg",
                alg,
                "--cn",
                "Province",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
                "--path-len",
                "0",
                "--days",
                "1000",
            ],
        ));
        // Creating a CA over an existing one is refused.
        let out = seal(
            d,
            &["ca", "new", "--dir", &root, "--cn", "Root", "--org", "X", "--country", "VN"],
        );
        assert_eq!(code(&out), 2);

        let key = format!("agency-{alg}.key");
        let csr = format!("agency-{alg}.csr");
        let cert = format!("agency-{alg}.pem");
        ok(&seal(d, &["key", "new", "--alg", alg, "--out", &key]));
        ok(&seal(
            d,
            &[
                "csr",
                "--key",
                &key,
                "--cn",
                "Licensing Office",
                "--org",
                "City",
                "--country",
                "VN",
                "--org-id",
                "0101234567",
                "--out",
                &csr,
            ],
        ));
        assert!(openssl(d, &["req", "-verify", "-noout", "-in", &csr]).status.success());
        let json = ok(&seal(
            d,
            &[
                "--json",
                "ca",
                "issue",
                "--dir",
                &prov,
                "--csr",
                &csr,
                "--profile",
                "seal",
                "--out",
                &cert,
            ],
        ));
        let issued: serde_json::Value = serde_json::from_str(&json).unwrap();
        let serial = issued["serial"].as_str().unwrap().to_owned();
        assert_eq!(serial.len(), 32, "16-byte serial: {serial}");

        let root_pem = format!("{root}/ca.pem");
        let prov_pem = format!("{prov}/ca.pem");
        let verify = [
            "cert",
            "verify",
            &cert,
            "--trust",
            &root_pem,
            "--untrusted",
            &prov_pem,
            "--purpose",
            "seal",
        ];
        ok(&seal(d, &verify));
        let o = openssl(d, &["verify", "-CAfile", &root_pem, "-untrusted", &prov_pem, &cert]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

        // Revoke, publish a CRL: we and OpenSSL both reject the leaf.
        let crl = format!("prov-{alg}.crl");
        ok(&seal(d, &["ca", "crl", "--dir", &prov, "--out", &crl]));
        let mut with_crl = verify.to_vec();
        with_crl.extend(["--crl", &crl]);
        ok(&seal(d, &with_crl));
        ok(&seal(
            d,
            &["ca", "revoke", "--dir", &prov, "--serial", &serial, "--reason", "keyCompromise"],
        ));
        let out = seal(d, &["ca", "revoke", "--dir", &prov, "--serial", &serial]);
        assert!(stderr(&out).contains("already revoked"), "{}", stderr(&out));
        ok(&seal(d, &["ca", "crl", "--dir", &prov, "--out", &crl, "--force"]));
        assert!(
            openssl(d, &["crl", "-verify", "-noout", "-in", &crl, "-CAfile", &prov_pem])
                .status
                .success()
        );
        let mut json_args = with_crl.clone();
        json_args.insert(0, "--json");
        let out = seal(d, &json_args);
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["indication"], "TOTAL-FAILED");
        assert_eq!(report["sub_indication"], "REVOKED");
        assert_eq!(report["problems"][0]["reason"], "keyCompromise");
        let o = openssl(
            d,
            &[
                "verify",
                "-crl_check",
                "-CAfile",
                &root_pem,
                "-untrusted",
                &prov_pem,
                "-CRLfile",
                &crl,
                &cert,
            ],
        );
        assert!(!o.status.success());

        // At a time after the CRL's nextUpdate: indeterminate, still exit 1.
        let mut late = with_crl.clone();
        late.extend(["--at", "2099-01-01"]);
        let out = seal(d, &late);
        assert_eq!(code(&out), 1);

        // cert show --json.
        let info: serde_json::Value =
            serde_json::from_str(&ok(&seal(d, &["--json", "cert", "show", &cert]))).unwrap();
        assert_eq!(info[0]["serial"], serial.as_str());
        assert_eq!(info[0]["subject_fields"]["organization_identifier"], "0101234567");
        assert_eq!(info[0]["key_algorithm"], alg);
    }
}

#[test]
fn openssl_made_keys_csrs_and_chains_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for alg in ["p256", "ed25519"] {
        let v = vectors().join(alg);
        let root = format!("root-{alg}");
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &root,
                "--alg",
                alg,
                "--cn",
                "Root",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
            ],
        ));
        // An OpenSSL CSR, issued by our CA.
        let out = format!("from-openssl-{alg}.pem");
        ok(&seal(
            d,
            &[
                "ca",
                "issue",
                "--dir",
                &root,
                "--csr",
                v.join("good.csr").to_str().unwrap(),
                "--profile",
                "seal",
                "--out",
                &out,
            ],
        ));
        assert!(
            openssl(d, &["verify", "-CAfile", &format!("{root}/ca.pem"), &out]).status.success()
        );
        // An OpenSSL key makes our CSR.
        ok(&seal(
            d,
            &[
                "csr",
                "--key",
                v.join("good.key").to_str().unwrap(),
                "--cn",
                "A",
                "--org",
                "B",
                "--country",
                "VN",
                "--out",
                &format!("{alg}.csr"),
            ],
        ));
        // OpenSSL chains verify; a tampered one is rejected with exit 1.
        let run = |leaf: &str| {
            let leaf = v.join(leaf);
            let root = v.join("root.pem");
            let inter = v.join("inter.pem");
            seal(
                d,
                &[
                    "cert",
                    "verify",
                    leaf.to_str().unwrap(),
                    "--trust",
                    root.to_str().unwrap(),
                    "--untrusted",
                    inter.to_str().unwrap(),
                    "--at",
                    "2027-06-01",
                    "--purpose",
                    "seal",
                ],
            )
        };
        ok(&run("good.pem"));
        let out = run("badsig.pem");
        assert_eq!(code(&out), 1);
        assert!(String::from_utf8_lossy(&out.stdout).contains("signature does not verify"));
    }
    // A SEC1 key from `openssl ecparam -genkey`.
    assert!(
        openssl(d, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.key"])
            .status
            .success()
    );
    ok(&seal(d, &["key", "pub", "sec1.key"]));
}
