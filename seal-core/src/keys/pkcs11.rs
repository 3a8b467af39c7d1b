//! Keys on PKCS#11 tokens (USB tokens, smart cards, HSMs), behind the same [`Signer`] trait.
//!
//! Tokens and keys are named by PKCS#11 URIs (RFC 7512), e.g.
//! `pkcs11:token=seal;object=agency?module-path=/usr/lib/softhsm/libsofthsm2.so`.
//! The PIN never comes from the URI's `pin-value` (it would sit on the command line): it
//! comes from a [`PassphraseSource`], or from the URI's `pin-source=env:VAR` or
//! `pin-source=file:/path`.
//!
//! One session is opened per signer and reused for every signature (a batch signs through
//! one login); it is guarded by a mutex, as PKCS#11 sessions must not be used from two
//! threads at once. ECDSA signs our SHA-256 digest with `CKM_ECDSA` (the token returns raw
//! `r || s`); Ed25519 uses `CKM_EDDSA`.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Encode;
use sha2::Digest;

use super::{Algorithm, OID_ED25519, OID_P256, OID_P384, PublicKey, Signature, Signer};
use crate::error::{Error, Result};
use crate::secret::PassphraseSource;

/// A parsed PKCS#11 URI (the parts `seal` uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// The module (the token's `.so`).
    pub module: PathBuf,
    /// The token label.
    pub token: Option<String>,
    /// The slot id.
    pub slot: Option<u64>,
    /// The key label (`object`).
    pub object: Option<String>,
    /// The key id (`id`, percent-encoded bytes).
    pub id: Option<Vec<u8>>,
    /// Where the PIN comes from, if the URI says.
    pub pin_source: Option<PassphraseSource>,
}

impl FromStr for Pkcs11Uri {
    type Err = Error;

    fn from_str(s: &str) -> Result<Pkcs11Uri> {
        let rest = s.strip_prefix("pkcs11:").ok_or_else(|| {
            Error::InvalidInput(format!("{s:?} is not a PKCS#11 URI (pkcs11:...)"))
        })?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let text = |v: &str| crate::uri::pct_text(v, "PKCS#11 URI");
        let mut uri = Pkcs11Uri {
            module: PathBuf::new(),
            token: None,
            slot: None,
            object: None,
            id: None,
            pin_source: None,
        };
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            match k {
                "token" => uri.token = Some(text(v)?),
                "object" => uri.object = Some(text(v)?),
                "id" => uri.id = Some(crate::uri::pct_decode(v, "PKCS#11 URI")?),
                "slot-id" => {
                    uri.slot = Some(
                        v.parse().map_err(|_| Error::InvalidInput(format!("bad slot-id {v:?}")))?,
                    )
                }
                "type"
                | "manufacturer"
                | "model"
                | "serial"
                | "library-description"
                | "library-manufacturer" => {}
                other => {
                    return Err(Error::InvalidInput(format!(
                        "unsupported PKCS#11 URI attribute {other:?}"
                    )));
                }
            }
        }
        for q in query.split('&').filter(|a| !a.is_empty()) {
            let (k, v) = q.split_once('=').unwrap_or((q, ""));
            match k {
                "module-path" => uri.module = PathBuf::from(text(v)?),
                "pin-source" => {
                    let v = text(v)?;
                    uri.pin_source = Some(crate::uri::secret_source(&v));
                }
                "pin-value" => {
                    return Err(Error::InvalidInput(
                        "pin-value in a PKCS#11 URI would put the PIN on the command line: use pin-source=env:VAR, a file, or --pin-env".into(),
                    ));
                }
                other => {
                    return Err(Error::InvalidInput(format!(
                        "unsupported PKCS#11 URI query {other:?}"
                    )));
                }
            }
        }
        if uri.module.as_os_str().is_empty() {
            return Err(Error::InvalidInput(
                "the PKCS#11 URI needs ?module-path=/path/to/module.so".into(),
            ));
        }
        Ok(uri)
    }
}

fn p11(e: impl std::fmt::Display) -> Error {
    Error::Signing(format!("PKCS#11: {e}"))
}

fn open_module(uri: &Pkcs11Uri) -> Result<Pkcs11> {
    let ctx = Pkcs11::new(&uri.module).map_err(|e| {
        Error::InvalidInput(format!("cannot load PKCS#11 module {}: {e}", uri.module.display()))
    })?;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)).map_err(p11)?;
    Ok(ctx)
}

fn find_slot(ctx: &Pkcs11, uri: &Pkcs11Uri) -> Result<Slot> {
    let slots = ctx.get_slots_with_token().map_err(p11)?;
    for slot in slots {
        if uri.slot.is_some_and(|id| slot.id() != id) {
            continue;
        }
        let info = ctx.get_token_info(slot).map_err(p11)?;
        if uri.token.as_deref().is_none_or(|t| info.label().trim() == t) {
            return Ok(slot);
        }
    }
    Err(Error::InvalidInput(format!(
        "no token {} found (is it plugged in?)",
        uri.token.as_deref().map(|t| format!("{t:?}")).unwrap_or_else(|| "at all".into())
    )))
}

fn login(session: &Session, uri: &Pkcs11Uri, pin: &PassphraseSource) -> Result<()> {
    let source = match (pin, &uri.pin_source) {
        (PassphraseSource::None, Some(s)) => s.clone(),
        (p, _) => p.clone(),
    };
    let pin = source.read("token PIN", false)?.ok_or_else(|| {
        Error::PassphraseUnavailable(
            "the token needs a PIN: pass --pin-env VAR, --pin-file FILE or pin-source in the URI"
                .into(),
        )
    })?;
    session
        .login(UserType::User, Some(&AuthPin::new(pin.as_str().into())))
        .map_err(|e| Error::Signing(format!("token login failed (wrong PIN?): {e}")))
}

fn key_template(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut t = vec![Attribute::Class(class)];
    if let Some(l) = &uri.object {
        t.push(Attribute::Label(l.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

/// A key on a PKCS#11 token.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    public: PublicKey,
    algorithm: Algorithm,
    // Keeps the module loaded for as long as the session lives.
    _ctx: Pkcs11,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pkcs11Signer({:?})", self.public)
    }
}

impl Pkcs11Signer {
    /// Opens the token, logs in, and finds the private key and its public key.
    pub fn open(uri: &Pkcs11Uri, pin: &PassphraseSource) -> Result<Pkcs11Signer> {
        if uri.object.is_none() && uri.id.is_none() {
            return Err(Error::InvalidInput(
                "the PKCS#11 URI must name the key: object=LABEL or id=...".into(),
            ));
        }
        let ctx = open_module(uri)?;
        let slot = find_slot(&ctx, uri)?;
        let session = ctx.open_ro_session(slot).map_err(p11)?;
        login(&session, uri, pin)?;
        let keys =
            session.find_objects(&key_template(uri, ObjectClass::PRIVATE_KEY)).map_err(p11)?;
        let key = match keys.as_slice() {
            [k] => *k,
            [] => return Err(Error::InvalidInput("no such private key on the token".into())),
            _ => {
                return Err(Error::InvalidInput(
                    "several keys match: name it by object and id".into(),
                ));
            }
        };
        let public = public_key(&session, uri)?;
        let algorithm = public.algorithm();
        Ok(Pkcs11Signer { session: Mutex::new(session), key, public, algorithm, _ctx: ctx })
    }

    /// Generates a key pair on the token (label `object`, id `id` or random) and opens it.
    pub fn generate(
        uri: &Pkcs11Uri,
        pin: &PassphraseSource,
        alg: Algorithm,
    ) -> Result<Pkcs11Signer> {
        let label = uri
            .object
            .clone()
            .ok_or_else(|| Error::InvalidInput("name the new key: object=LABEL".into()))?;
        let id = match &uri.id {
            Some(id) => id.clone(),
            None => crate::pki::random_serial()?[..8].to_vec(),
        };
        {
            let ctx = open_module(uri)?;
            let slot = find_slot(&ctx, uri)?;
            let session = ctx.open_rw_session(slot).map_err(p11)?;
            login(&session, uri, pin)?;
            let existing = session
                .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
                .map_err(p11)?;
            if !existing.is_empty() {
                return Err(Error::AlreadyExists {
                    path: PathBuf::from(format!("token key {label:?}")),
                });
            }
            let curve = |oid: der::asn1::ObjectIdentifier| {
                oid.to_der()
                    .map(|p| vec![Attribute::EcParams(p)])
                    .map_err(|e| Error::decode("curve OID", e))
            };
            let (mech, key_attrs) = match alg {
                Algorithm::EcdsaP256Sha256 => (Mechanism::EccKeyPairGen, curve(OID_P256)?),
                Algorithm::EcdsaP384Sha384 => (Mechanism::EccKeyPairGen, curve(OID_P384)?),
                Algorithm::Ed25519 => (Mechanism::EccEdwardsKeyPairGen, curve(OID_ED25519)?),
                Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => (
                    Mechanism::RsaPkcsKeyPairGen,
                    vec![
                        Attribute::ModulusBits(3072u64.into()),
                        Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
                    ],
                ),
                other => return Err(not_on_tokens(other)),
            };
            let common = [
                Attribute::Token(true),
                Attribute::Label(label.as_bytes().to_vec()),
                Attribute::Id(id.clone()),
            ];
            let mut public = key_attrs;
            public.push(Attribute::Verify(true));
            public.extend(common.iter().cloned());
            let mut private = vec![
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(true),
            ];
            private.extend(common.iter().cloned());
            session.generate_key_pair(&mech, &public, &private).map_err(p11)?;
        }
        let mut uri = uri.clone();
        uri.id = Some(id);
        Pkcs11Signer::open(&uri, pin)?.signing_with(alg)
    }

    /// The same key, signing with another algorithm its type supports (an RSA key: PKCS#1
    /// v1.5 by default, or PSS).
    pub fn signing_with(mut self, algorithm: Algorithm) -> Result<Pkcs11Signer> {
        self.public.check_signs_with(algorithm)?;
        self.algorithm = algorithm;
        Ok(self)
    }
}

fn public_key(session: &Session, uri: &Pkcs11Uri) -> Result<PublicKey> {
    let handles = session.find_objects(&key_template(uri, ObjectClass::PUBLIC_KEY)).map_err(p11)?;
    let handle = handles
        .first()
        .ok_or_else(|| Error::InvalidInput("the token has no public key for this key".into()))?;
    let kind = session.get_attributes(*handle, &[AttributeType::KeyType]).map_err(p11)?;
    let kind = kind.into_iter().find_map(|a| match a {
        Attribute::KeyType(k) => Some(k),
        _ => None,
    });
    if kind == Some(KeyType::RSA) {
        let attrs = session
            .get_attributes(*handle, &[AttributeType::Modulus, AttributeType::PublicExponent])
            .map_err(p11)?;
        let (mut n, mut e) = (None, None);
        for a in attrs {
            match a {
                Attribute::Modulus(m) => n = Some(m),
                Attribute::PublicExponent(x) => e = Some(x),
                _ => {}
            }
        }
        let (Some(n), Some(e)) = (n, e) else {
            return Err(Error::InvalidInput("the token's RSA key has no modulus".into()));
        };
        return PublicKey::from_spki_der(&rsa_spki(&n, &e)?);
    }
    let attrs = session
        .get_attributes(*handle, &[AttributeType::EcPoint, AttributeType::EcParams])
        .map_err(p11)?;
    let (mut point, mut params) = (None, None);
    for a in attrs {
        match a {
            Attribute::EcPoint(p) => point = Some(p),
            Attribute::EcParams(p) => params = Some(p),
            _ => {}
        }
    }
    let point = point
        .ok_or_else(|| Error::InvalidInput("the token's public key has no EC point".into()))?;
    let raw = unwrap_octet_string(point);
    let curve = params.and_then(|p| {
        use der::Decode;
        der::asn1::ObjectIdentifier::from_der(&p).ok()
    });
    match kind {
        Some(KeyType::EC) if curve == Some(OID_P384) => {
            let spki = ec_spki(OID_P384, &raw)?;
            PublicKey::from_spki_der(&spki)
        }
        Some(KeyType::EC) => p256::ecdsa::VerifyingKey::from_sec1_bytes(&raw)
            .map(PublicKey::EcdsaP256)
            .map_err(|e| Error::decode("token P-256 public key", e)),
        Some(KeyType::EC_EDWARDS) => {
            let bytes: [u8; 32] = raw
                .as_slice()
                .try_into()
                .map_err(|_| Error::decode("token Ed25519 public key", "not 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(PublicKey::Ed25519)
                .map_err(|e| Error::decode("token Ed25519 public key", e))
        }
        other => Err(Error::UnsupportedAlgorithm(format!("token key type {other:?}"))),
    }
}

/// A DER SubjectPublicKeyInfo for an RSA key from its modulus and exponent (unsigned, as
/// PKCS#11 gives them).
fn rsa_spki(n: &[u8], e: &[u8]) -> Result<Vec<u8>> {
    use der::asn1::{BitString, UintRef};
    let bad = |e: der::Error| Error::decode("token RSA public key", e);
    let n = UintRef::new(n).map_err(bad)?;
    let e = UintRef::new(e).map_err(bad)?;
    let mut body = n.to_der().map_err(bad)?;
    body.extend(e.to_der().map_err(bad)?);
    let rsa_key = crate::tlv::encode(0x30, &body);
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: super::OID_RSA,
            parameters: Some(der::asn1::Any::null()),
        },
        subject_public_key: BitString::from_bytes(&rsa_key).map_err(bad)?,
    };
    spki.to_der().map_err(bad)
}

/// A DER SubjectPublicKeyInfo for an EC point on a named curve.
fn ec_spki(curve: der::asn1::ObjectIdentifier, point: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: der::Error| Error::decode("token EC public key", e);
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: super::OID_EC_PUBLIC_KEY,
            parameters: Some(der::asn1::Any::from(&curve)),
        },
        subject_public_key: der::asn1::BitString::from_bytes(point).map_err(bad)?,
    };
    spki.to_der().map_err(bad)
}

/// CKA_EC_POINT is a DER OCTET STRING around the point; some tokens give it bare.
fn unwrap_octet_string(point: Vec<u8>) -> Vec<u8> {
    use der::Decode;
    match der::asn1::OctetString::from_der(&point) {
        Ok(o) => o.into_bytes().into_vec(),
        Err(_) => point,
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature> {
        let session =
            self.session.lock().map_err(|_| Error::Signing("token session poisoned".into()))?;
        let (alg, sig) = match self.algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let digest = sha2::Sha256::digest(msg);
                (Algorithm::EcdsaP256Sha256, session.sign(&Mechanism::Ecdsa, self.key, &digest))
            }
            Algorithm::EcdsaP384Sha384 => {
                let digest = sha2::Sha384::digest(msg);
                (Algorithm::EcdsaP384Sha384, session.sign(&Mechanism::Ecdsa, self.key, &digest))
            }
            // CKM_SHA256_RSA_PKCS: the token hashes and pads (PKCS#11 v2.40 §2.1.14).
            Algorithm::RsaPkcs1Sha256 => {
                (Algorithm::RsaPkcs1Sha256, session.sign(&Mechanism::Sha256RsaPkcs, self.key, msg))
            }
            Algorithm::RsaPssSha256 => {
                use cryptoki::mechanism::MechanismType;
                use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
                let params = PkcsPssParams {
                    hash_alg: MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32u64.into(),
                };
                let m = Mechanism::Sha256RsaPkcsPss(params);
                (Algorithm::RsaPssSha256, session.sign(&m, self.key, msg))
            }
            Algorithm::Ed25519 => {
                let m = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
                (Algorithm::Ed25519, session.sign(&m, self.key, msg))
            }
            other => return Err(not_on_tokens(other)),
        };
        let sig =
            sig.map_err(|e| Error::Signing(format!("the token refused to sign (removed?): {e}")))?;
        let expected = match alg {
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => self.public.rsa_modulus_bytes(),
            Algorithm::EcdsaP384Sha384 => 96,
            _ => 64,
        };
        if sig.len() != expected {
            return Err(Error::Signing(format!(
                "the token returned {} bytes, expected {expected}",
                sig.len()
            )));
        }
        let signature = Signature::from_raw(alg, sig);
        // Never hand out a signature the token got wrong.
        self.public
            .verify(msg, &signature)
            .map_err(|_| Error::Signing("the token's signature does not verify".into()))?;
        Ok(signature)
    }

    /// ECDSA through CKM_ECDSA (which takes the digest), RSA PKCS#1 v1.5 through
    /// CKM_RSA_PKCS over the DigestInfo (RFC 8017 §9.2).
    fn sign_prehashed(&self, hash: &[u8]) -> Result<Signature> {
        /// DER of DigestInfo { sha256, NULL } up to the digest's OCTET STRING header.
        const SHA256_DIGEST_INFO: [u8; 19] = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        let alg = self.algorithm;
        if hash.len() != alg.hash().output_len() {
            return Err(Error::InvalidInput(format!(
                "a {}-byte digest for a {} key, which signs {} digests",
                hash.len(),
                alg.name(),
                alg.hash().name()
            )));
        }
        let session =
            self.session.lock().map_err(|_| Error::Signing("token session poisoned".into()))?;
        let sig = match alg {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                session.sign(&Mechanism::Ecdsa, self.key, hash)
            }
            Algorithm::RsaPkcs1Sha256 => {
                let info = [&SHA256_DIGEST_INFO[..], hash].concat();
                session.sign(&Mechanism::RsaPkcs, self.key, &info)
            }
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "a {} token key signs messages here, not digests made beforehand",
                    other.name()
                )));
            }
        };
        let sig =
            sig.map_err(|e| Error::Signing(format!("the token refused to sign (removed?): {e}")))?;
        let signature = Signature::from_raw(alg, sig);
        self.public
            .verify_prehashed(&alg.scheme(), hash, signature.raw())
            .map_err(|_| Error::Signing("the token's signature does not verify".into()))?;
        Ok(signature)
    }
}

/// What `seal token list` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenListing {
    /// Slot id.
    pub slot: u64,
    /// Token label.
    pub label: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Public keys visible without login: (label, id in hex, type).
    pub keys: Vec<(String, String, String)>,
}

/// Lists the tokens of a module and the public keys on each.
pub fn list_tokens(module: &std::path::Path) -> Result<Vec<TokenListing>> {
    let uri = Pkcs11Uri {
        module: module.to_path_buf(),
        token: None,
        slot: None,
        object: None,
        id: None,
        pin_source: None,
    };
    let ctx = open_module(&uri)?;
    let mut out = Vec::new();
    for slot in ctx.get_slots_with_token().map_err(p11)? {
        let info = ctx.get_token_info(slot).map_err(p11)?;
        let mut keys = Vec::new();
        if let Ok(session) = ctx.open_ro_session(slot) {
            for h in session
                .find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY)])
                .unwrap_or_default()
            {
                let attrs = session
                    .get_attributes(
                        h,
                        &[AttributeType::Label, AttributeType::Id, AttributeType::KeyType],
                    )
                    .unwrap_or_default();
                let (mut label, mut id, mut kind) = (String::new(), String::new(), String::new());
                for a in attrs {
                    match a {
                        Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                        Attribute::Id(i) => id = super::hex(&i),
                        Attribute::KeyType(k) => kind = format!("{k}"),
                        _ => {}
                    }
                }
                keys.push((label, id, kind));
            }
        }
        out.push(TokenListing {
            slot: slot.id(),
            label: info.label().trim().to_owned(),
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            keys,
        });
    }
    Ok(out)
}

/// Why a key of `alg` cannot live on a token here.
fn not_on_tokens(alg: Algorithm) -> Error {
    Error::UnsupportedAlgorithm(match alg {
        // SM2's signing equation is not ECDSA's, so CKM_ECDSA cannot stand in for it, and
        // PKCS#11 (up to v3.1) names no SM2 mechanism: each vendor numbers its own in the
        // CKM_VENDOR_DEFINED range, and SoftHSM2, the open token CI tests, has none.
        Algorithm::Sm2Sm3 => "SM2 on a PKCS#11 token: PKCS#11 defines no SM2 mechanism (vendors \
                              number their own and SoftHSM2 has none); use an SM2 key file"
            .into(),
        other => format!("{other} on a token"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_refuse_pins() {
        let u: Pkcs11Uri = "pkcs11:token=seal%20token;object=agency;id=%01%02?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:SEAL_PIN".parse().unwrap();
        assert_eq!(u.token.as_deref(), Some("seal token"));
        assert_eq!(u.object.as_deref(), Some("agency"));
        assert_eq!(u.id, Some(vec![1, 2]));
        assert_eq!(u.pin_source, Some(PassphraseSource::Env("SEAL_PIN".into())));
        assert!(
            "pkcs11:object=a?module-path=/x&pin-value=1234"
                .parse::<Pkcs11Uri>()
                .unwrap_err()
                .to_string()
                .contains("command line")
        );
        assert!("pkcs11:object=a".parse::<Pkcs11Uri>().is_err());
        assert!("file:/x".parse::<Pkcs11Uri>().is_err());
    }
}
