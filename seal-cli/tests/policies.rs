//! Certificate policies (RFC 5280 §6.1: the valid policy tree), decided as OpenSSL decides
//! them with `-policy_check -policy anyPolicy` (RFC 5280's user-initial-policy-set; OpenSSL
//! with no `-policy` fails every path that requires an explicit policy): requireExplicitPolicy, inhibitAnyPolicy, policyMappings and
//! inhibitPolicyMapping, all marked critical as RFC 5280 asks CAs to.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;

const P1: &str = "1.3.6.1.4.1.55555.1.1";
const P2: &str = "1.3.6.1.4.1.55555.1.2";

fn cnf() -> String {
    let ca = "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n";
    let leaf = "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, nonRepudiation\n";
    format!(
        "[require]\n{ca}certificatePolicies = {P1}\npolicyConstraints = critical, requireExplicitPolicy:0\n\
         [inhibit_any]\n{ca}certificatePolicies = 2.5.29.32.0\n\
         policyConstraints = critical, requireExplicitPolicy:0\ninhibitAnyPolicy = critical, 0\n\
         [map]\n{ca}certificatePolicies = {P1}\npolicyMappings = critical, {P1}:{P2}\n\
         policyConstraints = critical, requireExplicitPolicy:0\n\
         [no_mapping]\n{ca}certificatePolicies = 2.5.29.32.0\n\
         policyConstraints = critical, requireExplicitPolicy:0, inhibitPolicyMapping:0\n\
         [any_ca]\n{ca}certificatePolicies = 2.5.29.32.0\n\
         [plain_ca]\n{ca}\
         [leaf_p1]\n{leaf}certificatePolicies = {P1}\n\
         [leaf_p2]\n{leaf}certificatePolicies = {P2}\n\
         [leaf_any]\n{leaf}certificatePolicies = 2.5.29.32.0\n\
         [leaf_none]\n{leaf}"
    )
}

/// `name` with an EC P-256 key, issued by `ca` with the extensions of section `ext`.
fn issue(d: &Path, name: &str, ca: &str, ext: &str) {
    openssl_issue_p256(d, name, &format!("/O=Interop/CN=Policy {name}"), ca, "policy.cnf", ext);
}

/// Each case: the CAs below the root (each issued by the one before), the leaf's
/// extension section, and whether a policy-checking verifier accepts the leaf.
#[test]
fn policy_constraints_decide_as_openssl_decides() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    std::fs::write(d.join("policy.cnf"), cnf()).unwrap();
    for ca in ["require", "inhibit_any", "map", "no_mapping", "any_ca", "plain_ca"] {
        issue(d, ca, "root", ca);
    }
    issue(d, "sub_map", "no_mapping", "map");
    issue(d, "sub_map_free", "any_ca", "map");
    issue(d, "sub_map_orphan", "plain_ca", "map");
    let cases: &[(&[&str], &str, bool, Option<&str>)] = &[
        (&["require"], "leaf_p1", true, Some(P1)),
        (&["require"], "leaf_p2", false, None),
        (&["require"], "leaf_none", false, None),
        (&["inhibit_any"], "leaf_p1", true, Some(P1)),
        (&["inhibit_any"], "leaf_any", false, None),
        (&["map"], "leaf_p2", true, Some(P1)),
        (&["map"], "leaf_p1", false, None),
        (&["no_mapping", "sub_map"], "leaf_p2", false, None),
        (&["any_ca", "sub_map_free"], "leaf_p2", true, Some(P1)),
        // A CA that asserts no policy at all leaves nothing to require.
        (&["plain_ca", "sub_map_orphan"], "leaf_p2", false, None),
        // No CA asks for a policy: the leaf's own does not matter.
        (&["plain_ca"], "leaf_p2", true, None),
        (&["plain_ca"], "leaf_none", true, None),
    ];
    for (n, (cas, leaf_ext, passes, policy)) in cases.iter().enumerate() {
        let name = format!("leaf{n}");
        issue(d, &name, cas.last().unwrap(), leaf_ext);
        let pem = format!("{name}.pem");
        let chain = format!("chain{n}.pem");
        let bundle: String = cas
            .iter()
            .map(|c| std::fs::read_to_string(d.join(format!("{c}.pem"))).unwrap())
            .collect();
        std::fs::write(d.join(&chain), bundle).unwrap();
        let what = format!("case {n}: {cas:?} then {leaf_ext}");
        let o = run(
            d,
            "openssl",
            &[
                "verify",
                "-policy_check",
                "-policy",
                "2.5.29.32.0",
                "-CAfile",
                "root.pem",
                "-untrusted",
                &chain,
                &pem,
            ],
        );
        assert_eq!(o.status.success(), *passes, "openssl on {what}: {}", stdout(&o));
        let out = seal(
            d,
            &["--json", "cert", "verify", &pem, "--trust", "root.pem", "--untrusted", &chain],
        );
        let r = json(&out);
        assert_eq!(out.status.code() == Some(0), *passes, "seal on {what}: {r:#}");
        let text = r.to_string();
        if *passes {
            match policy {
                // A mapped policy is reported under the name the CAs above use.
                Some(p) => assert!(text.contains(p), "{what}: policy {p} not reported: {r:#}"),
                None => assert!(!text.contains("55555"), "{what}: {r:#}"),
            }
        } else {
            assert!(text.contains("certificate policy"), "{what}: {r:#}");
            assert!(text.contains("CHAIN_CONSTRAINTS_FAILURE"), "{what}: {r:#}");
        }
    }
    // The text report names the policy too.
    let out = seal(
        d,
        &["cert", "verify", "leaf0.pem", "--trust", "root.pem", "--untrusted", "chain0.pem"],
    );
    assert!(stdout(&out).contains(&format!("certificate policies: {P1}")), "{}", stdout(&out));
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}
