//! One module per command; each turns arguments into core types and calls the core.

mod ca;
mod cert;
mod demo;
mod extend;
mod key;
mod licence;
mod seal;
mod serve;
mod tsa;

use std::io::IsTerminal;

use seal_core::keys::{Algorithm, Kdf};
use seal_core::pki::Subject;
use seal_core::secret::PassphraseSource;
use seal_core::time::UnixTime;
use seal_core::{Error, Result};

use crate::Outcome;
use crate::cli::{
    Alg, CaCommand, CertCommand, Command, KdfArg, KeyCommand, LicenceCommand, PassArgs,
    SealCommand, SubjectArgs, TokenCommand, TrustArgs, TrustListCommand, TsaCommand,
};
use seal_core::pki;
use seal_core::verify::Trust;

/// Runs one command.
pub fn run(command: Command) -> Result<Outcome> {
    match command {
        Command::Demo(a) => demo::run(&a),
        Command::Key(KeyCommand::New(a)) => key::new(&a),
        Command::Key(KeyCommand::Pub(a)) => key::public(&a),
        Command::Key(KeyCommand::Cert(a)) => key::certificates(&a),
        Command::Csr(a) => key::csr(&a),
        Command::Token(TokenCommand::List(a)) => key::token_list(&a),
        Command::Ca(CaCommand::New(a)) => ca::new(&a),
        Command::Ca(CaCommand::Issue(a)) => ca::issue(&a),
        Command::Ca(CaCommand::Revoke(a)) => ca::revoke(&a),
        Command::Ca(CaCommand::Crl(a)) => ca::crl(&a),
        Command::Ca(CaCommand::Ocsp(a)) => ca::ocsp(&a),
        Command::Cert(CertCommand::Show(a)) => cert::show(&a),
        Command::Cert(CertCommand::Verify(a)) => cert::verify(&a),
        Command::Seal(SealCommand::New(a)) => seal::new(&a),
        Command::Seal(SealCommand::Show(a)) => seal::show(&a),
        Command::Seal(SealCommand::Verify(a)) => seal::verify_seal(&a),
        Command::Seal(SealCommand::Draw(a)) => seal::draw(&a),
        Command::Stamp(a) => seal::stamp(&a),
        Command::Verify(a) => seal::verify(&a),
        Command::Extend(a) => extend::run(&a),
        Command::Licence(LicenceCommand::Issue(a)) => licence::issue(&a),
        Command::Licence(LicenceCommand::Verify(a)) => licence::verify(&a),
        Command::Licence(LicenceCommand::Types) => licence::types(),
        Command::Licence(LicenceCommand::Status(a)) => licence::status(&a),
        Command::TrustList(TrustListCommand::Build(a)) => licence::build_list(&a),
        Command::TrustList(TrustListCommand::Sign(a)) => licence::sign_list(&a),
        Command::TrustList(TrustListCommand::Show(a)) => licence::show_list(&a),
        Command::TrustList(TrustListCommand::Verify(a)) => licence::verify_list(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Tsa(TsaCommand::New(a)) => tsa::new(&a),
        Command::Tsa(TsaCommand::Respond(a)) => tsa::respond(&a),
        Command::Tsa(TsaCommand::Query(a)) => tsa::query(&a),
        Command::Tsa(TsaCommand::Serve(a)) => tsa::serve(&a),
        Command::Tsa(TsaCommand::Verify(a)) => tsa::verify(&a),
    }
}

impl From<Alg> for Algorithm {
    fn from(a: Alg) -> Algorithm {
        match a {
            Alg::Ed25519 => Algorithm::Ed25519,
            Alg::P256 => Algorithm::EcdsaP256Sha256,
            Alg::P384 => Algorithm::EcdsaP384Sha384,
            Alg::Rsa => Algorithm::RsaPkcs1Sha256,
            Alg::RsaPss => Algorithm::RsaPssSha256,
            Alg::Sm2 => Algorithm::Sm2Sm3,
        }
    }
}

impl From<KdfArg> for Kdf {
    fn from(k: KdfArg) -> Kdf {
        match k {
            KdfArg::Scrypt => Kdf::Scrypt,
            KdfArg::Pbkdf2 => Kdf::Pbkdf2Sha256,
        }
    }
}

impl PassArgs {
    /// The source the user named, or `None`.
    pub(crate) fn source(&self) -> PassphraseSource {
        if let Some(var) = &self.passphrase_env {
            PassphraseSource::Env(var.clone())
        } else if let Some(file) = &self.passphrase_file {
            PassphraseSource::File(file.clone())
        } else if self.passphrase_prompt {
            terminal_prompt()
        } else {
            PassphraseSource::None
        }
    }

    /// The source for reading an existing key: the named one, else a prompt when a
    /// person is at the terminal (the key is only decrypted if it is encrypted).
    pub(crate) fn for_reading(&self) -> PassphraseSource {
        match self.source() {
            PassphraseSource::None if std::io::stdin().is_terminal() => terminal_prompt(),
            other => other,
        }
    }
}

/// Asks on the terminal without echo (twice for a new secret). The library does no terminal
/// I/O of its own; this is the command's callback.
fn terminal_prompt() -> PassphraseSource {
    fn ask(question: String) -> seal_core::Result<seal_core::secret::Secret> {
        rpassword::prompt_password(question)
            .map(zeroize::Zeroizing::new)
            .map_err(|e| seal_core::Error::PassphraseUnavailable(format!("no terminal: {e}")))
    }
    PassphraseSource::callback(|request| {
        let first = ask(format!("{}: ", request.what))?;
        if request.confirm && *first != *ask(format!("{} (again): ", request.what))? {
            return Err(seal_core::Error::PassphraseUnavailable("the two entries differ".into()));
        }
        Ok(first)
    })
}

impl SubjectArgs {
    fn subject(&self) -> Subject {
        Subject {
            common_name: self.cn.clone(),
            organization: self.org.clone(),
            organizational_unit: self.ou.clone(),
            country: self.country.clone(),
            organization_identifier: self.org_id.clone(),
        }
    }
}

impl TrustArgs {
    /// Loads every trust anchor, intermediate and CRL named.
    fn load(&self) -> Result<(Trust, UnixTime)> {
        let mut trust = Trust::default();
        for p in &self.trust {
            trust.anchors.extend(pki::load_certificates_from(p)?);
        }
        for p in &self.untrusted {
            trust.intermediates.extend(pki::load_certificates_from(p)?);
        }
        for p in &self.crl {
            trust.crls.extend(pki::load_crls(p)?);
        }
        for p in &self.seal_maker {
            trust.seal_makers.extend(pki::load_certificates_from(p)?);
        }
        for p in &self.list_signer {
            trust.list_signers.extend(pki::load_certificates_from(p)?);
        }
        for p in &self.ocsp {
            let data = seal_core::io::read(p)?;
            trust.ocsp.push(pki::ocsp::OcspResponse::from_der(&data).map_err(|e| e.in_file(p))?);
        }
        trust.policy.cades_baseline = self.policy.contains(&crate::cli::PolicyArg::CadesBaseline);
        trust.policy.allow_annotations = self.allow.contains(&crate::cli::AllowArg::Annotations);
        trust.policy.allow_ofd_metadata = self.allow.contains(&crate::cli::AllowArg::OfdMetadata);
        trust.policy.require_revocation = self.require_revocation;
        Ok((trust, time_arg(self.at.as_deref())?))
    }
}

impl crate::cli::LongTermArgs {
    /// The certificates, CRLs and OCSP responses named, with `chain` (the signer's CA
    /// certificates) to build chains from.
    fn sources(&self, chain: &[pki::Certificate]) -> Result<pki::validation_data::Sources> {
        let mut s = pki::validation_data::Sources { certs: chain.to_vec(), ..Default::default() };
        for p in &self.trust {
            s.certs.extend(pki::load_certificates_from(p)?);
        }
        for p in &self.crl {
            s.crls.extend(pki::load_crls(p)?);
        }
        for p in &self.ocsp {
            let data = seal_core::io::read(p)?;
            s.ocsp.push(pki::ocsp::OcspResponse::from_der(&data).map_err(|e| e.in_file(p))?);
        }
        Ok(s)
    }
}

/// A signing key named on the command line: a key file, a PKCS#11 URI (`pkcs11:...`), or a
/// credential of a remote signing service (`csc+https://...`, see `seal_core::csc`).
/// The PIN of a token comes from the same sources as a passphrase, or the URI's pin-source.
fn load_signer(key: &std::path::Path, pass: &PassArgs) -> Result<Box<dyn seal_core::keys::Signer>> {
    load_signer_as(key, pass, None)
}

/// [`load_signer`], signing with `algorithm` when given (an RSA key: PSS instead of PKCS#1
/// v1.5).
fn load_signer_as(
    key: &std::path::Path,
    pass: &PassArgs,
    algorithm: Option<Algorithm>,
) -> Result<Box<dyn seal_core::keys::Signer>> {
    if let Some(uri) = key.to_str().filter(|s| seal_core::csc::CscUri::is_csc(s)) {
        if algorithm.is_some() {
            return Err(Error::InvalidInput(
                "a remote credential signs with the algorithm its service offers for its key"
                    .into(),
            ));
        }
        return Ok(Box::new(csc_signer(uri, pass)?));
    }
    match key.to_str().filter(|s| s.starts_with("pkcs11:")) {
        Some(uri) => {
            let k = seal_core::keys::pkcs11::Pkcs11Signer::open(&uri.parse()?, &pass.source())?;
            Ok(Box::new(match algorithm {
                Some(a) => k.signing_with(a)?,
                None => k,
            }))
        }
        None => {
            let k = seal_core::keys::PrivateKey::load(key, &pass.for_reading())?;
            Ok(Box::new(match algorithm {
                Some(a) => k.signing_with(a)?,
                None => k,
            }))
        }
    }
}

/// A remote credential: the URI's `prompt` secrets asked on the terminal, the PIN from
/// the passphrase options unless the URI names its source.
fn csc_signer(uri: &str, pass: &PassArgs) -> Result<seal_core::csc::CscSigner> {
    let mut uri: seal_core::csc::CscUri = uri.parse()?;
    uri.prompt_with(&terminal_prompt());
    seal_core::csc::CscSigner::open(&uri, &pass.source())
}

/// The CA's signer: DIR/ca.key, or the key named by `--key` (which must match ca.pem).
fn ca_signer(
    ca: &seal_core::pki::ca::Ca,
    key: Option<&std::path::Path>,
    pass: &PassArgs,
) -> Result<Box<dyn seal_core::keys::Signer>> {
    match key {
        None => Ok(Box::new(ca.load_key(&pass.for_reading())?)),
        Some(k) => {
            let signer = load_signer(k, pass)?;
            if signer.public_key() != &seal_core::pki::certificate_key(ca.certificate())? {
                return Err(Error::KeyMismatch("--key does not match the CA certificate".into()));
            }
            Ok(signer)
        }
    }
}

/// A progress bar on standard error when it is a terminal and there is more than one item;
/// hidden otherwise (scripts and pipes stay quiet).
fn progress_bar(len: usize, done: &str) -> indicatif::ProgressBar {
    if len < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {done}, {{per_sec}}, eta {{eta}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// Parses `--at`, defaulting to now.
fn time_arg(at: Option<&str>) -> Result<UnixTime> {
    match at {
        Some(s) => s.parse(),
        None => Ok(UnixTime::now()),
    }
}

/// Reads and validates a passphrase for a new key file (asked twice at a prompt).
fn new_key_passphrase(pass: &PassArgs) -> Result<Option<seal_core::secret::Secret>> {
    pass.source().read("passphrase for the new key", true)
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}
