//! Helpers shared by the interop tests: running `seal`, OpenSSL and pyHanko, and two test
//! PKIs (one made by OpenSSL, one by `seal`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `cmd` in `dir`; seal keeps its list replay state in `dir/.seal-state`, never in the
/// user's home.
pub fn run(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .env("SEAL_STATE_DIR", dir.join(".seal-state"))
        .output()
        .expect("the command runs")
}

pub fn ok(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = run(dir, cmd, args);
    assert!(
        out.status.success(),
        "{cmd} {args:?}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn seal(dir: &Path, args: &[&str]) -> Output {
    run(dir, env!("CARGO_BIN_EXE_seal"), args)
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub const EXT: &str = "\
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[qualified]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.3 = critical, DER:300a3008060604008e460101
";

/// root (RSA-3072) -> inter (P-384) -> rsa (RSA-2048), p384 (P-384), qualified (RSA-2048).
pub fn pki(d: &Path) {
    std::fs::write(d.join("ext.cnf"), EXT).unwrap();
    ok(
        d,
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            "root.key",
            "-subj",
            "/CN=OpenSSL RSA Root/O=Interop",
            "-days",
            "3650",
            "-sha256",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ],
    );
    let issue = |name: &str, newkey: &[&str], ca: &str, ext: &str, digest: &str| {
        let mut args = vec!["req", "-new"];
        args.extend_from_slice(newkey);
        let subj = format!("/CN=OpenSSL {name}/O=Interop");
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        args.extend_from_slice(&["-nodes", "-keyout", &key, "-subj", &subj, "-out", &csr]);
        ok(d, "openssl", &args);
        let (ca_cert, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        let out = format!("{name}.pem");
        ok(
            d,
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_cert,
                "-CAkey",
                &ca_key,
                "-set_serial",
                &format!("{}", name.len() * 7919),
                "-days",
                "1000",
                digest,
                "-extfile",
                "ext.cnf",
                "-extensions",
                ext,
                "-out",
                &out,
            ],
        );
    };
    issue(
        "inter",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "root",
        "ca",
        "-sha256",
    );
    issue("rsa", &["-newkey", "rsa:2048"], "inter", "signer", "-sha384");
    issue(
        "p384",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "inter",
        "signer",
        "-sha384",
    );
    issue("qualified", &["-newkey", "rsa:2048"], "inter", "qualified", "-sha512");
    let bundle = std::fs::read_to_string(d.join("inter.pem")).unwrap()
        + "some text between blocks\n"
        + &std::fs::read_to_string(d.join("root.pem")).unwrap();
    std::fs::write(d.join("bundle.pem"), bundle).unwrap();
    std::fs::write(d.join("doc.txt"), "a contract signed with OpenSSL\n".repeat(50)).unwrap();
}

pub fn python_tool(name: &str) -> PathBuf {
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    Path::new(&python).parent().unwrap().join(name)
}

/// `pyhanko sign validate` of `file` with only `root/ca.pem` trusted, no revocation checks.
pub fn pyhanko_validate(d: &Path, file: &str) -> Output {
    let args =
        ["sign", "validate", "--trust", "root/ca.pem", "--trust-replace", "--no-revocation-check"];
    run(d, python_tool("pyhanko").to_str().unwrap(), &[&args[..], &[file]].concat())
}

pub fn seal_ok(d: &Path, args: &[&str]) -> String {
    ok(d, env!("CARGO_BIN_EXE_seal"), args)
}

/// An RSA-3072 root, a P-384 intermediate, agencies with RSA-2048 and P-384 keys made by
/// `seal` (and an RSA key made by OpenSSL, in PKCS#1 form), a seal for each.
pub fn seal_pki(d: &Path) {
    let subject = |cn: &str, id: &str| {
        ["--cn", cn, "--org", "City of Example", "--country", "VN", "--org-id", id]
            .map(String::from)
            .to_vec()
    };
    seal_ok(
        d,
        &[
            "ca",
            "new",
            "--dir",
            "root",
            "--cn",
            "RSA Root",
            "--org",
            "Seal Authority",
            "--country",
            "VN",
            "--path-len",
            "1",
            "--alg",
            "rsa",
        ],
    );
    seal_ok(
        d,
        &[
            "ca",
            "new",
            "--dir",
            "prov",
            "--parent",
            "root",
            "--cn",
            "P-384 CA",
            "--org",
            "Seal Authority",
            "--country",
            "VN",
            "--path-len",
            "0",
            "--alg",
            "p384",
        ],
    );
    seal_ok(d, &["key", "new", "--alg", "rsa", "--bits", "2048", "--out", "rsa.key"]);
    seal_ok(d, &["key", "new", "--alg", "p384", "--out", "p384.key"]);
    ok(d, "openssl", &["genrsa", "-traditional", "-out", "ossl.key", "2048"]);
    assert!(std::fs::read_to_string(d.join("ossl.key")).unwrap().contains("RSA PRIVATE KEY"));
    seal_ok(d, &["key", "new", "--alg", "ed25519", "--out", "maker.key"]);
    for (name, id) in [
        ("rsa", "0101000001"),
        ("p384", "0101000002"),
        ("ossl", "0101000003"),
        ("maker", "0101000009"),
    ] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let mut args = vec!["csr".to_string(), "--key".into(), key, "--out".into(), csr.clone()];
        args.extend(subject(name, id));
        seal_ok(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let profile = if name == "maker" { "seal-maker" } else { "seal" };
        seal_ok(
            d,
            &["ca", "issue", "--dir", "prov", "--csr", &csr, "--profile", profile, "--out", &pem],
        );
        ok(d, "openssl", &["verify", "-CAfile", "root/ca.pem", "-untrusted", "prov/ca.pem", &pem]);
    }
    for name in ["rsa", "p384", "ossl"] {
        let (holder, out) = (format!("{name}.pem"), format!("{name}.esl"));
        seal_ok(
            d,
            &[
                "seal",
                "new",
                "--maker-key",
                "maker.key",
                "--maker-cert",
                "maker.pem",
                "--holder-cert",
                &holder,
                "--name",
                name,
                "--id",
                name,
                "--draw",
                "--out",
                &out,
            ],
        );
    }
}

/// OpenSSL makes `name.key` (EC P-256) and `name.pem` for `subject`, issued by `ca`
/// (`ca.pem`, `ca.key`) with the extensions of section `ext` of the config file `cnf`.
pub fn openssl_issue_p256(d: &Path, name: &str, subject: &str, ca: &str, cnf: &str, ext: &str) {
    let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    let newkey = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let mut args = newkey.to_vec();
    args.extend_from_slice(&["-nodes", "-keyout", &key, "-subj", subject, "-out", &csr]);
    ok(d, "openssl", &args);
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    // Serial numbers differ per name, so that no two certificates of a test share one.
    let serial = name.bytes().fold(1000u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let serial = (serial % 1_000_000_007).to_string();
    ok(
        d,
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            &serial,
            "-days",
            "100",
            "-extfile",
            cnf,
            "-extensions",
            ext,
            "-out",
            &pem,
        ],
    );
}

/// A TSA in `d/tsa` (`tsa.key`, `tsa.csr`, `tsa.pem`), its certificate issued by the CA in
/// `d/CA` (profile tsa) for `days` days.
pub fn make_tsa(d: &Path, ca: &str, days: &str) {
    make_tsa_in(d, ca, days, "tsa");
}

/// [`make_tsa`] in directory `d/name`, its key and certificate `d/name.key` and `d/name.pem`.
pub fn make_tsa_in(d: &Path, ca: &str, days: &str, name: &str) {
    let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    seal_ok(d, &["key", "new", "--alg", "p256", "--out", &key]);
    let subject = ["--org", "Seal Authority", "--country", "VN", "--org-id", "0101"];
    let cn = format!("Seal TSA {name}");
    let csr_args = ["csr", "--key", &key, "--cn", &cn, "--out", &csr];
    seal_ok(d, &[&csr_args[..], &subject].concat());
    let issue = ["ca", "issue", "--dir", ca, "--csr", &csr, "--profile", "tsa"];
    seal_ok(d, &[&issue[..], &["--days", days, "--out", &pem]].concat());
    seal_ok(d, &["tsa", "new", "--dir", name, "--cert", &pem, "--key", &key]);
}

/// A server process, killed when dropped (also when a test fails).
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `seal tsa serve` for `d/tsa` on 127.0.0.1 (port 0, read back from its first line of
/// output), and its URL.
pub fn tsa_serve(d: &Path) -> (Running, String) {
    serve_process(
        d,
        &["tsa", "serve", "--dir", "tsa", "--listen", "127.0.0.1:0", "--threads", "4"],
        &[],
    )
}

/// A `seal` server command in `d` (listening on port 0), and the URL its first line of
/// output gives.
pub fn serve_process(d: &Path, args: &[&str], env: &[(&str, &Path)]) -> (Running, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(args)
        .current_dir(d)
        .env("SEAL_STATE_DIR", d.join(".seal-state"))
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the seal server starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    std::io::BufReader::new(stdout).read_line(&mut line).expect("the address line");
    let url = line.trim().strip_prefix("listening on ").expect("an address").to_owned();
    (Running(child), url)
}

/// The SoftHSM2 module the token tests use.
pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A SoftHSM2 token labelled "seal" (user PIN 1234) with its store in `dir/tokens`; returns
/// the configuration file to put in SOFTHSM2_CONF.
pub fn softhsm_token(dir: &Path) -> PathBuf {
    assert!(
        Path::new(SOFTHSM).exists(),
        "SoftHSM2 is needed ({SOFTHSM}; apt-get install softhsm2)"
    );
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    let text = format!(
        "directories.tokendir = {}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n",
        dir.display()
    );
    std::fs::write(&conf, text).unwrap();
    let init =
        ["--init-token", "--free", "--label", "seal", "--so-pin", "87654321", "--pin", "1234"];
    let out = Command::new("softhsm2-util")
        .args(init)
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .expect("softhsm2-util is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    conf
}
