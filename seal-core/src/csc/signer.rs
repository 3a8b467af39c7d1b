//! [`CscSigner`]: a [`Signer`] whose key sits behind a CSC service.

use std::sync::Mutex;

use der::asn1::ObjectIdentifier;

use super::client::{Client, CredentialInfo};
use super::uri::CscUri;
use crate::error::{Error, Result};
use crate::keys::{Algorithm, PublicKey, Signature, Signer};
use crate::pki::Certificate;
use crate::secret::{PassphraseSource, Secret};

/// `rsaEncryption`: a signAlgo some services list for PKCS#1 v1.5 with any hashAlgo.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A credential of a CSC service, signing hashes there.
pub struct CscSigner {
    client: Client,
    info: CredentialInfo,
    /// The certificate, then the rest of the chain.
    certs: Vec<Certificate>,
    public: PublicKey,
    algorithm: Algorithm,
    sign_alg: ObjectIdentifier,
    pin_source: PassphraseSource,
    otp_source: PassphraseSource,
    pin: Mutex<Option<Secret>>,
    /// Set when the service refused an authorisation: asking again with the same PIN would
    /// count another wrong attempt towards the credential's lock-out.
    refused: Mutex<Option<String>>,
    /// Signatures asked for at once, sent together.
    batcher: super::batch::Batcher,
}

impl CscSigner {
    /// Logs in to the service, reads the credential (the account's only one when the URI
    /// names none) and its certificate chain. The PIN comes from the URI's `pin-source`,
    /// else from `pin`, and is read at the first signature.
    pub fn open(uri: &CscUri, pin: &PassphraseSource) -> Result<CscSigner> {
        let client = Client::connect(uri)?;
        let id = match &uri.credential {
            Some(id) => id.clone(),
            None => {
                let ids = client.credentials()?;
                match ids.as_slice() {
                    [one] => one.clone(),
                    [] => {
                        return Err(Error::InvalidInput(format!(
                            "{}: the account has no credential",
                            client.service()
                        )));
                    }
                    many => {
                        return Err(Error::InvalidInput(format!(
                            "{}: the account has {} credentials ({}): name one with \
                             ?credential=ID",
                            client.service(),
                            many.len(),
                            many.join(", ")
                        )));
                    }
                }
            }
        };
        let info = client.credential(&id)?;
        if !info.enabled {
            return Err(Error::Signing(format!(
                "{}: credential {id:?} is disabled at the service",
                client.service()
            )));
        }
        let public = crate::pki::certificate_key(&info.certificate)?;
        let (algorithm, sign_alg) = choose(&public, &info).map_err(|why| {
            Error::UnsupportedAlgorithm(format!(
                "{}: credential {id:?} ({}): {why}",
                client.service(),
                public.describe()
            ))
        })?;
        let certs = std::iter::once(info.certificate.clone()).chain(info.chain.clone()).collect();
        Ok(CscSigner {
            client,
            info,
            certs,
            public,
            algorithm,
            sign_alg,
            pin_source: uri.pin_source.clone().unwrap_or_else(|| pin.clone()),
            otp_source: uri.otp_source.clone().unwrap_or_default(),
            pin: Mutex::new(None),
            refused: Mutex::new(None),
            batcher: super::batch::Batcher::default(),
        })
    }

    /// The signer's certificate, as the service sends it.
    pub fn certificate(&self) -> &Certificate {
        &self.info.certificate
    }

    /// The rest of the chain the service sends.
    pub fn chain(&self) -> &[Certificate] {
        &self.info.chain
    }

    /// What the service says of the credential.
    pub fn info(&self) -> &CredentialInfo {
        &self.info
    }

    /// Signs hashes made with [`Algorithm::hash`] of [`Signer::algorithm`]: one
    /// `credentials/authorize` and one `signatures/signHash` per chunk of `multisign`
    /// hashes. Each signature is checked against the certificate's key before it is
    /// returned.
    pub fn sign_hashes(&self, hashes: &[Vec<u8>]) -> Result<Vec<Signature>> {
        let mut out = Vec::with_capacity(hashes.len());
        for chunk in hashes.chunks(self.info.multisign) {
            let sad = self.authorize(chunk)?;
            let raw = self.client.sign_hash(
                &self.info.id,
                &sad,
                chunk,
                self.algorithm.hash().oid(),
                self.sign_alg,
            )?;
            for (hash, value) in chunk.iter().zip(raw) {
                out.push(self.checked(hash, &value)?);
            }
        }
        Ok(out)
    }

    fn authorize(&self, hashes: &[Vec<u8>]) -> Result<Secret> {
        let mut refused = self.refused.lock().map_err(|_| poisoned())?;
        if let Some(why) = refused.as_ref() {
            return Err(Error::Signing(format!(
                "not asking {} again after it refused an authorisation ({why}): another \
                 attempt with the same PIN would count towards the credential's lock-out",
                self.client.service()
            )));
        }
        let mut pin = self.pin.lock().map_err(|_| poisoned())?;
        if self.info.pin && pin.is_none() {
            let what = format!("PIN of credential {} at {}", self.info.id, self.client.service());
            *pin = Some(self.pin_source.read(&what, false)?.ok_or_else(|| {
                Error::PassphraseRequired.in_file(format!("credential {}", self.info.id))
            })?);
        }
        let otp = if self.info.otp {
            let what = format!("one-time password for credential {}", self.info.id);
            Some(self.otp_source.read(&what, false)?.ok_or_else(|| {
                Error::Signing(format!(
                    "credential {} needs an OTP: add otp-source=env:VAR to the CSC URI",
                    self.info.id
                ))
            })?)
        } else {
            None
        };
        let result = self.client.authorize(
            &self.info.id,
            hashes,
            self.algorithm.hash().oid(),
            pin.as_ref().map(|p| p.as_str()),
            otp.as_ref().map(|o| o.as_str()),
        );
        if let Err(Error::Remote { status: Some(s), code, description, .. }) = &result
            && (400..500).contains(s)
        {
            *refused = Some(format!("{code}: {description}"));
            *pin = None;
        }
        result
    }

    fn checked(&self, hash: &[u8], value: &[u8]) -> Result<Signature> {
        let alg = self.algorithm;
        let sig = Signature::from_x509(alg, value)
            .or_else(|e| match alg {
                // Some services answer ECDSA as r || s.
                Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384
                    if value.len() == 2 * alg.hash().output_len() =>
                {
                    Ok(Signature::from_raw(alg, value))
                }
                _ => Err(e),
            })
            .map_err(|e| self.bad_signature(&format!("not a {} signature: {e}", alg.name())))?;
        self.public.verify_prehashed(&alg.scheme(), hash, sig.raw()).map_err(|_| {
            self.bad_signature("it does not verify with the credential's certificate")
        })?;
        Ok(sig)
    }

    fn bad_signature(&self, why: &str) -> Error {
        Error::Remote {
            service: self.client.service().to_owned(),
            endpoint: "signatures/signHash".into(),
            status: None,
            code: "invalid_response".into(),
            description: format!("a signature the service returned is refused: {why}"),
        }
    }
}

impl Signer for CscSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature> {
        self.sign_prehashed(&self.algorithm.hash().hash(msg))
    }

    /// Signs one digest; digests asked for at the same time from other threads go to the
    /// service in the same chunk (see `csc::batch`).
    fn sign_prehashed(&self, hash: &[u8]) -> Result<Signature> {
        self.batcher.sign(hash.to_vec(), self.info.multisign, |chunk| self.sign_hashes(chunk))
    }

    fn batch_size(&self) -> usize {
        self.info.multisign
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.certs
    }
}

fn poisoned() -> Error {
    Error::Signing("the remote signer's state is poisoned by an earlier panic".into())
}

/// The algorithm to sign with: the certificate key's, if the service offers it.
fn choose(
    public: &PublicKey,
    info: &CredentialInfo,
) -> std::result::Result<(Algorithm, ObjectIdentifier), String> {
    let algorithm = public.algorithm();
    let offered = |oid: &ObjectIdentifier| info.algorithms.contains(oid);
    match algorithm {
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 | Algorithm::RsaPkcs1Sha256 => {}
        other => {
            return Err(format!(
                "{} is not signed as a hash here (CSC signHash signs hashes; Ed25519 signs \
                 the message itself, and the API defines no SM2)",
                other.name()
            ));
        }
    }
    let oid = algorithm.signature_algorithm_identifier().oid;
    if offered(&oid) || info.algorithms.is_empty() {
        return Ok((algorithm, oid));
    }
    if algorithm == Algorithm::RsaPkcs1Sha256 && offered(&RSA_ENCRYPTION) {
        return Ok((algorithm, RSA_ENCRYPTION));
    }
    Err(format!(
        "the service offers {} for it, not {oid}",
        info.algorithms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    ))
}
