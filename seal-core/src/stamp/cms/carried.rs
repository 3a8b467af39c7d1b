//! What a CMS signature carries that its long-term validation data must cover: the
//! certificates of its signers, of the makers of the seals it carries (their chains are
//! validated too), and of the TSAs of its signature timestamps, and every certificate it
//! and its tokens carry to build their chains.

use der::Tagged;

use super::verify::{SignedData, attributes, find_signer};
use crate::error::Result;
use crate::pki::Certificate;
use crate::tlv::Seq;

/// The certificates of a signature and of its timestamps.
#[derive(Debug, Default)]
pub struct Carried {
    /// The certificates that sign: each SignerInfo's, each carried seal's maker's, and
    /// each signature timestamp's TSA's.
    pub signers: Vec<Certificate>,
    /// Every certificate the signature and its tokens carry.
    pub certs: Vec<Certificate>,
}

/// Timestamps inside timestamps are not followed further than this.
const MAX_DEPTH: usize = 3;

/// What the CMS signature `cms` (DER or BER) carries. A SignerInfo whose certificate it
/// does not carry adds no signer.
pub fn carried(cms: &[u8]) -> Result<Carried> {
    let mut out = Carried::default();
    collect(cms, 0, &mut out)?;
    Ok(out)
}

fn collect(cms: &[u8], depth: usize, out: &mut Carried) -> Result<()> {
    let der = super::from_bytes(cms)?;
    let (der, _) = crate::ber::to_der(&der)?;
    let sd = SignedData::parse(&der)?;
    for info in &sd.infos.items {
        let info = Seq::of("SignerInfo", *info)?;
        if let Some(cert) = find_signer(info.get(1, "sid")?, sd.certs.iter())
            && !out.signers.contains(cert)
        {
            out.signers.push(cert.clone());
        }
        // A seal in the signed attributes: its maker's chain is checked too.
        if let Ok(attrs) = info.get(3, "signedAttrs")
            && attrs.tag().is_context_specific()
            && attrs.tag().number().value() == 0
            && let Ok(a) = attributes(attrs)
            && let Some(seal) = a.seal
            && let Ok(seal) = crate::seal::Seal::from_der(&seal)
            && let Ok(maker) = seal.maker_certificate()
            && !out.signers.contains(&maker)
        {
            out.signers.push(maker);
        }
        if depth + 1 >= MAX_DEPTH {
            continue;
        }
        for token in signature_timestamps(&info) {
            collect(&token, depth + 1, out)?;
        }
    }
    for cert in sd.certs {
        if !out.certs.contains(&cert) {
            out.certs.push(cert);
        }
    }
    Ok(())
}

/// The tokens of a SignerInfo's signature timestamps (in its `[1]` unsignedAttrs, its
/// last field) that can be read.
fn signature_timestamps(info: &Seq<'_>) -> Vec<Vec<u8>> {
    match info.items.last() {
        Some(last) if last.tag().is_context_specific() && last.tag().number().value() == 1 => {
            super::timestamp::tokens(*last).into_iter().flatten().collect()
        }
        _ => Vec::new(),
    }
}
