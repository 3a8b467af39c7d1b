//! Structure-aware DER fuzzing: `arbitrary` builds TLV trees from the tags and object
//! identifiers the parsers look for, encoded as valid DER, so that every input reaches past
//! the outer decoding into certificates, CRLs, OCSP, CSRs, keys, SES and CMS logic.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use seal_core::digest::HashAlg;
use seal_core::pki::path::Purpose;

const TAGS: &[u8] = &[
    0x30, 0x31, 0x02, 0x06, 0x03, 0x04, 0x05, 0x01, 0x0a, 0x17, 0x18, 0x0c, 0x13, 0x16, 0x1e, 0xa0,
    0xa1, 0xa2, 0xa3, 0xa4, 0x80, 0x81, 0x82, 0x83, 0x86, 0x88,
];

const OIDS: &[&str] = &[
    "1.2.840.113549.1.7.2",
    "1.2.840.113549.1.7.1",
    "2.16.840.1.101.3.4.2.1",
    "1.2.840.10045.2.1",
    "1.2.840.10045.3.1.7",
    "1.3.101.112",
    "1.2.840.113549.1.1.1",
    "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.10",
    "1.2.840.10045.4.3.2",
    "2.5.4.3",
    "2.5.4.10",
    "2.5.4.6",
    "2.5.4.97",
    "2.5.29.19",
    "2.5.29.15",
    "2.5.29.14",
    "2.5.29.35",
    "2.5.29.37",
    "2.5.29.32",
    "2.5.29.30",
    "2.5.29.31",
    "2.5.29.20",
    "2.5.29.28",
    "2.5.29.21",
    "1.2.840.113549.1.9.3",
    "1.2.840.113549.1.9.4",
    "1.2.840.113549.1.9.5",
    "1.2.840.113549.1.9.16.2.47",
    "1.2.840.113549.1.9.16.2.14",
    "1.2.840.113549.1.9.16.1.4",
    "1.3.6.1.5.5.7.48.1.1",
    "1.3.6.1.5.5.7.3.8",
    "1.2.156.10197.1.301",
    "1.2.156.10197.1.401",
    "1.2.156.10197.1.501",
    "1.2.156.10197.6.1.4.2.1",
    "1.2.156.10197.6.1.4.2.2",
    "1.2.840.113549.1.5.13",
    "1.2.840.113549.1.5.12",
    "1.3.6.1.4.1.11591.4.11",
];

#[derive(Arbitrary, Debug)]
enum Node {
    Prim(u8, Vec<u8>),
    Oid(u8),
    Int(i64),
    Cons(u8, Vec<Node>),
}

fn oid_content(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut bytes = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            bytes.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        out.extend(bytes.iter().rev());
    };
    if arcs.len() >= 2 {
        push(arcs[0] * 40 + arcs[1]);
        for &a in &arcs[2..] {
            push(a);
        }
    }
    out
}

fn tlv(tag: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
}

fn encode(n: &Node, out: &mut Vec<u8>, depth: usize) {
    match n {
        Node::Prim(t, c) => {
            let tag = TAGS[*t as usize % TAGS.len()] & !0x20;
            tlv(tag, c, out);
        }
        Node::Oid(i) => tlv(0x06, &oid_content(OIDS[*i as usize % OIDS.len()]), out),
        Node::Int(v) => {
            let bytes = v.to_be_bytes();
            let mut s = 0;
            while s < 7
                && ((bytes[s] == 0 && bytes[s + 1] & 0x80 == 0)
                    || (bytes[s] == 0xff && bytes[s + 1] & 0x80 != 0))
            {
                s += 1;
            }
            tlv(0x02, &bytes[s..], out);
        }
        Node::Cons(t, kids) => {
            let tag = TAGS[*t as usize % TAGS.len()] | 0x20;
            let mut inner = Vec::new();
            if depth < 16 {
                for k in kids {
                    encode(k, &mut inner, depth + 1);
                }
            }
            tlv(tag, &inner, out);
        }
    }
}

fuzz_target!(|tree: Node| {
    let mut der = Vec::new();
    encode(&tree, &mut der, 0);
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    if let Ok(certs) = seal_core::pki::certificates_from_bytes(&der) {
        for c in &certs {
            let _ = seal_core::pki::CertificateInfo::new(c);
            let _ = seal_core::pki::path::validate(c, &f.chain, &certs, &[], at, Purpose::Seal);
        }
    }
    if let Ok(crls) = seal_core::pki::crls_from_bytes(&der) {
        let _ = seal_core::pki::revocation::check(&f.agency, &f.prov, &crls, at);
    }
    if let Ok(r) = seal_core::pki::ocsp::OcspResponse::from_der(&der) {
        let _ = seal_core::pki::ocsp::check(&f.agency, &f.prov, std::slice::from_ref(&r), at);
    }
    let _ = seal_core::pki::Csr::from_der(&der).map(|c| c.verify_signature());
    let _ = seal_core::keys::PublicKey::from_bytes(&der);
    let _ = seal_core::keys::PrivateKey::from_bytes(&der, None);
    let _ = seal_core::seal::Seal::from_der(&der);
    let _ = seal_core::seal::Stamp::from_der(&der);
    let ctx = seal_core::stamp::cms::Detached {
        id: "fuzz".into(),
        format: "CMS detached",
        covers: "content".into(),
        claimed_time: None,
        purpose: Purpose::Seal,
    };
    let mut digest = |h: HashAlg| Ok(h.hash(b"content"));
    let _ = seal_core::stamp::cms::verify_signed_data(&der, &ctx, &mut digest, &f.trust, at);
    let _ = seal_core::tsp::token::Timestamp::from_tst_info(&der);
});
