//! Crafted licences: claims with two meanings or the wrong types are refused with the
//! reason, never verified with a check skipped.
#![cfg(feature = "licence")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ciborium::Value as Cbor;
use common::{Fixture, now};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use seal_core::keys::{Algorithm, PrivateKey, Signer};
use seal_core::licence;
use seal_core::pki::{Certificate, Profile};

struct Issuer {
    f: Fixture,
    key: PrivateKey,
    cert: Certificate,
}

fn issuer() -> Issuer {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (key, cert) = f.issue("Licensing Office", Profile::LicenceIssuer);
    Issuer { f, key, cert }
}

fn t(n: &str) -> Cbor {
    Cbor::Text(n.into())
}

fn i(n: i64) -> Cbor {
    Cbor::Integer(n.into())
}

/// The `lic` claim of a valid business licence, with `edit` applied.
/// A CBOR map's entries, to edit.
type Entries = Vec<(Cbor, Cbor)>;

fn lic(edit: &dyn Fn(&mut Entries)) -> Cbor {
    let attributes = Cbor::Map(vec![
        (t("activities"), Cbor::Array(vec![t("retail")])),
        (t("capital"), i(1_500_000_000)),
        (t("company_type"), t("LLC")),
    ]);
    let mut m = vec![
        (t("a"), attributes),
        (t("h"), Cbor::Map(vec![(t("i"), t("0101234567")), (t("n"), t("Công ty Ví Dụ"))])),
        (t("n"), t("BL2026000123")),
        (t("r"), t("VN-HN")),
        (t("t"), t("business-licence")),
    ];
    edit(&mut m);
    Cbor::Map(m)
}

fn claims(lic: Cbor, extra: &[(Cbor, Cbor)]) -> Vec<(Cbor, Cbor)> {
    let secs = |t: seal_core::time::UnixTime| i(t.as_secs() as i64);
    let mut c = vec![
        (i(1), t("Licensing Office")),
        (i(4), secs(now().plus_days(365))),
        (i(5), secs(now())),
        (i(6), secs(now())),
        (t("lic"), lic),
    ];
    c.extend_from_slice(extra);
    c
}

/// A COSE_Sign1 over `payload`, signed as our issuer signs.
fn signed(who: &Issuer, payload: Vec<u8>) -> Vec<u8> {
    let kid = licence::key_id(&who.cert).unwrap().to_vec();
    let protected = HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(kid).build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(&[], |tbs| who.key.sign(tbs).unwrap().raw().to_vec())
        .build()
        .to_tagged_vec()
        .unwrap()
}

fn encode(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn verify(who: &Issuer, cose: &[u8]) -> Result<seal_core::verify::SignatureReport, String> {
    let text = licence::to_text(cose).unwrap();
    let cose = licence::from_text(&text).map_err(|e| e.to_string())?;
    licence::verify(&cose, std::slice::from_ref(&who.cert), &who.f.trust(), now())
        .map(|(_, r)| r)
        .map_err(|e| e.to_string())
}

#[test]
fn licences_with_two_meanings_or_wrong_types_are_refused() {
    let who = issuer();
    // The genuine one verifies.
    let good = signed(&who, encode(&Cbor::Map(claims(lic(&|_| {}), &[]))));
    let r = verify(&who, &good).unwrap();
    assert!(r.is_valid(), "{r:?}");
    let expired = i(now().as_secs() as i64 - 86_400);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "two exp",
            encode(&Cbor::Map(claims(lic(&|_| {}), &[(i(4), expired.clone())]))),
            "appears twice",
        ),
        (
            "two lic",
            encode(&Cbor::Map(claims(
                lic(&|_| {}),
                &[(
                    t("lic"),
                    lic(&|m| m[1].1 = Cbor::Map(vec![(t("i"), t("9")), (t("n"), t("Other"))])),
                )],
            ))),
            "appears twice",
        ),
        (
            "bytes after the map",
            [encode(&Cbor::Map(claims(lic(&|_| {}), &[]))), vec![0x00]].concat(),
            "follow the CBOR item",
        ),
        (
            "status 3.0",
            encode(&Cbor::Map(claims(lic(&|m| m.push((t("s"), Cbor::Float(3.0)))), &[]))),
            "status index",
        ),
        (
            "status \"3\"",
            encode(&Cbor::Map(claims(lic(&|m| m.push((t("s"), t("3")))), &[]))),
            "status index",
        ),
        (
            "status -1",
            encode(&Cbor::Map(claims(lic(&|m| m.push((t("s"), i(-1)))), &[]))),
            "status index",
        ),
        ("region 7", encode(&Cbor::Map(claims(lic(&|m| m[3].1 = i(7)), &[]))), "region"),
        (
            "region array",
            encode(&Cbor::Map(claims(lic(&|m| m[3].1 = Cbor::Array(vec![t("VN-HN")])), &[]))),
            "region",
        ),
        (
            "no company type",
            encode(&Cbor::Map(claims(
                lic(&|m| m[0].1 = Cbor::Map(vec![(t("capital"), i(5))])),
                &[],
            ))),
            "company_type",
        ),
    ];
    for (what, payload, words) in cases {
        let e = verify(&who, &signed(&who, payload))
            .map(|r| format!("verified: {r:?}"))
            .unwrap_or_else(|e| e);
        assert!(e.contains(words), "{what}: {e}");
    }
    // Bytes after the zlib stream of the text form.
    let text = licence::to_text(&good).unwrap();
    let body = base45::decode(text.strip_prefix("LC1:").unwrap()).unwrap();
    let mut zlib = body;
    zlib.extend_from_slice(b"forged");
    let e = licence::from_text(&format!("LC1:{}", base45::encode(&zlib))).unwrap_err();
    assert!(e.to_string().contains("follow the zlib stream"), "{e}");
}

/// An issuer a trust list restricts to regions may not issue a licence that names none.
#[test]
fn a_region_restricted_issuer_must_name_a_region() {
    use base64ct::{Base64, Encoding};
    use seal_core::licence::trust::{self, ListedIssuer, TrustListBody};
    let who = issuer();
    let body = TrustListBody {
        name: "VN".into(),
        sequence: 1,
        issued: now(),
        next_update: now().plus_days(30),
        issuers: vec![ListedIssuer {
            certificate: Base64::encode_string(
                &seal_core::pki::certificate_der(&who.cert).unwrap(),
            ),
            regions: vec!["VN-HN".into()],
            licence_types: vec!["business-licence".into()],
        }],
    };
    let list = trust::sign_trust_list(&body, &who.f.root_key, who.f.root.certificate()).unwrap();
    let list = trust::open_trust_list(&list, &who.f.trust(), now(), 0).unwrap();
    let verify = |edit: &dyn Fn(&mut Entries)| {
        let cose = signed(&who, encode(&Cbor::Map(claims(lic(edit), &[]))));
        trust::verify_licence(&cose, std::slice::from_ref(&list), &[], &who.f.trust(), now())
            .unwrap()
            .1
    };
    assert!(verify(&|_| {}).is_valid());
    let r = verify(&|m| {
        m.remove(3);
    });
    assert!(!r.is_valid(), "{r:?}");
    assert!(r.checks.iter().any(|c| c.detail.contains("names no region")), "{r:?}");
}

/// COSE headers: what seal cannot act on, or could read two ways, is refused; what another
/// COSE implementation (coset) writes verifies, and what seal writes reads there the same.
#[test]
fn cose_headers_that_seal_cannot_honour_are_refused() {
    use coset::CborSerializable;
    let who = issuer();
    let payload = encode(&Cbor::Map(claims(lic(&|_| {}), &[])));
    let kid = licence::key_id(&who.cert).unwrap().to_vec();
    let sign_with = |protected: coset::Header| {
        CoseSign1Builder::new()
            .protected(protected)
            .payload(payload.clone())
            .create_signature(&[], |tbs| who.key.sign(tbs).unwrap().raw().to_vec())
            .build()
    };
    let base = || HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(kid.clone());
    // crit naming kid: seal processes kid, so it verifies.
    let ok = sign_with(base().add_critical(iana::HeaderParameter::Kid).build());
    assert!(verify(&who, &ok.clone().to_tagged_vec().unwrap()).unwrap().is_valid());
    // Untagged, as some producers write it.
    assert!(verify(&who, &ok.clone().to_vec().unwrap()).unwrap().is_valid());
    // crit naming a header seal does not process (content type; a private label).
    for label in [iana::HeaderParameter::ContentType as i64, -70000] {
        let crit = sign_with(
            base().add_critical_label(coset::RegisteredLabelWithPrivate::PrivateUse(label)).build(),
        );
        let e = verify(&who, &crit.to_tagged_vec().unwrap()).unwrap_err();
        assert!(e.contains("crit requires the header"), "{e}");
    }
    // A protected header with alg twice: the first and the last reader disagree.
    let mut twice = ok.clone();
    twice.protected.original_data = Some(vec![0xa3, 0x01, 0x26, 0x01, 0x27, 0x04, 0x40]);
    let e = verify(&who, &twice.to_tagged_vec().unwrap()).unwrap_err();
    assert!(e.contains("appears twice"), "{e}");
    // Bytes after the COSE_Sign1, and another tag than 18.
    let mut trailing = ok.clone().to_tagged_vec().unwrap();
    trailing.push(0xf6);
    assert!(verify(&who, &trailing).unwrap_err().contains("follow"));
    let mut retagged = ok.clone().to_tagged_vec().unwrap();
    retagged[0] = 0xd1; // tag 17: COSE_Mac0
    assert!(verify(&who, &retagged).unwrap_err().contains("tag 17"));
    // A signature changed by one bit fails as changed, not as unreadable.
    let mut flipped = ok.clone();
    flipped.signature[5] ^= 1;
    let r = verify(&who, &flipped.to_tagged_vec().unwrap()).unwrap();
    assert!(!r.is_valid() && format!("{r:?}").contains("SigCryptoFailure"), "{r:?}");

    // What seal signs, coset reads, with the same headers, and its signature checks over
    // coset's own Sig_structure.
    let schema = licence::Schema::builtin().into_iter().next().unwrap();
    let data: licence::LicenceData = serde_json::from_value(serde_json::json!({
        "number": "BL2026000999",
        "holder": {"name": "Công ty Ví Dụ", "id": "0101234567"},
        "valid_until": "2030-01-01T00:00:00Z",
        "attributes": {"activities": ["retail"], "capital": 5, "company_type": "LLC"}
    }))
    .unwrap();
    let ours = licence::sign(
        &licence::prepare(&schema, data, &who.cert, now()).unwrap(),
        &who.key,
        &who.cert,
    )
    .unwrap();
    let theirs = coset::CoseSign1::from_tagged_slice(&ours).unwrap();
    assert_eq!(
        theirs.protected.header.alg,
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES256))
    );
    assert_eq!(theirs.protected.header.key_id, kid);
    let key = seal_core::pki::certificate_key(&who.cert).unwrap();
    theirs
        .verify_signature(&[], |sig, tbs| {
            let scheme = seal_core::keys::Scheme::new(
                seal_core::keys::SchemeKind::EcdsaPlain,
                seal_core::digest::HashAlg::Sha256,
            );
            key.verify_scheme(&scheme, tbs, sig)
        })
        .unwrap();
    let claims: Cbor = ciborium::from_reader(theirs.payload.as_deref().unwrap()).unwrap();
    assert_eq!(encode(&claims), theirs.payload.unwrap(), "the claims are in preferred form");
}
