//! Roles a certificate must carry beyond its key usage: who may make seals and who may sign
//! trust lists. A certificate that merely chains to a trust anchor may not play them.
//!
//! Each role is an extended key usage (RFC 5280 §4.2.1.12) written by the CA's
//! `seal-maker` and `trust-list-signer` profiles. No registry assigns OIDs for these roles,
//! so they are UUID OIDs under 2.25 (ITU-T X.667), which anyone may mint:
//!
//! | role | OID |
//! |---|---|
//! | seal maker (GB/T 38540 seal-making authority) | `2.25.133347493632603947311586850339810651616` |
//! | trust-list signer | `2.25.74144265903483772547044355790232713530` |
//!
//! Their last arcs do not fit the 32 bits `const-oid` holds, so they are encoded and matched
//! as DER bytes here; OpenSSL, NSS and asn1crypto read them as any OID. A verifier can also
//! name the certificates that play a role itself (`Trust::seal_makers`, `Trust::list_signers`),
//! for authorities whose certificates carry no such mark (vendor seal systems).

use der::Encode;
use der::asn1::OctetString;
use x509_cert::Certificate;
use x509_cert::ext::Extension;

use super::profile::OID_EXT_KEY_USAGE;
use crate::error::{Error, Result};

/// A role a certificate plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// Makes GB/T 38540 seals (signs `SES_SealInfo`).
    SealMaker,
    /// Signs trust lists of licence issuers.
    TrustListSigner,
    /// Signs RFC 3161 timestamps: id-kp-timeStamping (RFC 5280 §4.2.1.12), which RFC 3161
    /// §2.3 requires to be the only extended key usage, critical.
    TimeStamping,
}

impl Role {
    /// The role's OID, in dotted form.
    pub fn oid(self) -> &'static str {
        match self {
            Role::SealMaker => "2.25.133347493632603947311586850339810651616",
            Role::TrustListSigner => "2.25.74144265903483772547044355790232713530",
            Role::TimeStamping => "1.3.6.1.5.5.7.3.8",
        }
    }

    /// What the role is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Role::SealMaker => "seal maker",
            Role::TrustListSigner => "trust-list signer",
            Role::TimeStamping => "time-stamping authority",
        }
    }

    /// The DER of the OID (tag, length, arcs).
    fn oid_der(self) -> Vec<u8> {
        match self {
            Role::SealMaker => uuid_oid_der(133_347_493_632_603_947_311_586_850_339_810_651_616),
            Role::TrustListSigner => {
                uuid_oid_der(74_144_265_903_483_772_547_044_355_790_232_713_530)
            }
            // 1.3.6.1.5.5.7.3.8
            Role::TimeStamping => vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08],
        }
    }

    /// The extendedKeyUsage extension naming this role: critical for a TSA (RFC 3161
    /// §2.3), otherwise not, so that other software may use the certificate's key usage as
    /// it is.
    pub(crate) fn extension(self) -> Result<Extension> {
        let oid = self.oid_der();
        let mut value = vec![0x30, oid.len() as u8];
        value.extend(oid);
        Ok(Extension {
            extn_id: OID_EXT_KEY_USAGE,
            critical: self == Role::TimeStamping,
            extn_value: OctetString::new(value).map_err(|e| Error::decode("extension", e))?,
        })
    }
}

/// The DER (tag, length, arcs) of the UUID OID `2.25.n` (ITU-T X.667), whose last arc is
/// too big for `const-oid`.
pub(crate) fn uuid_oid_der(n: u128) -> Vec<u8> {
    let mut arc = Vec::new();
    let mut v = n;
    loop {
        arc.push((v & 0x7f) as u8 | if arc.is_empty() { 0 } else { 0x80 });
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    arc.reverse();
    let mut out = vec![0x06, (arc.len() + 1) as u8, 2 * 40 + 25];
    out.extend(arc);
    out
}

/// True if `cert`'s extendedKeyUsage names `role`.
pub fn has_role(cert: &Certificate, role: Role) -> bool {
    let want = role.oid_der();
    cert.tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.extn_id == OID_EXT_KEY_USAGE)
        .any(|e| oids(e.extn_value.as_bytes()).any(|o| o == want.as_slice()))
}

/// Whether `cert` may sign RFC 3161 timestamps: its extendedKeyUsage is critical and holds
/// id-kp-timeStamping alone (RFC 3161 §2.3). The error says what is wrong.
pub fn check_tsa(cert: &Certificate) -> std::result::Result<(), &'static str> {
    let want = Role::TimeStamping.oid_der();
    let eku: Vec<&Extension> = cert
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.extn_id == OID_EXT_KEY_USAGE)
        .collect();
    let [e] = eku.as_slice() else {
        return Err("the certificate has no extendedKeyUsage id-kp-timeStamping");
    };
    let purposes: Vec<&[u8]> = oids(e.extn_value.as_bytes()).collect();
    if !purposes.contains(&want.as_slice()) {
        return Err("the certificate's extendedKeyUsage lacks id-kp-timeStamping");
    }
    if purposes.len() != 1 {
        return Err("the certificate's extendedKeyUsage holds more than id-kp-timeStamping");
    }
    if !e.critical {
        return Err("the certificate's extendedKeyUsage id-kp-timeStamping is not critical");
    }
    Ok(())
}

/// The OIDs (as DER TLVs) of an `ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId`.
fn oids(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = tlv(value).filter(|(tag, _, _)| *tag == 0x30).map(|(_, b, _)| b).unwrap_or(&[]);
    let mut rest = body;
    std::iter::from_fn(move || {
        let (tag, _, whole) = tlv(rest)?;
        rest = &rest[whole.len()..];
        (tag == 0x06).then_some(whole)
    })
}

/// One DER TLV at the start of `b`: (tag, contents, the whole TLV).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&l, rest) = rest.split_first()?;
    let (len, rest) = if l < 0x80 {
        (usize::from(l), rest)
    } else {
        let n = usize::from(l & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |a, &x| a << 8 | usize::from(x)), &rest[n..])
    };
    let header = b.len() - rest.len();
    let contents = rest.get(..len)?;
    Some((tag, contents, &b[..header + len]))
}

/// A certificate's DER, for comparing pinned certificates.
pub(crate) fn same_certificate(a: &Certificate, b: &Certificate) -> bool {
    a == b || a.to_der().ok() == b.to_der().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_oids_encode_as_their_dotted_forms_say() {
        for role in [Role::SealMaker, Role::TrustListSigner] {
            let der = role.oid_der();
            // Decode the arcs back by hand and compare with the dotted form.
            let mut n: u128 = 0;
            for &b in &der[3..] {
                n = n << 7 | u128::from(b & 0x7f);
            }
            assert_eq!(format!("2.25.{n}"), role.oid());
            let ext = role.extension().unwrap();
            assert_eq!(oids(ext.extn_value.as_bytes()).collect::<Vec<_>>(), vec![der.as_slice()]);
        }
    }
}
