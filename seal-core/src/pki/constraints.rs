//! Name constraints (RFC 5280 §4.2.1.10): a CA limits the names of every certificate below
//! it to permitted subtrees and keeps them out of excluded ones.
//!
//! Processed: directoryName (the subject, and directory names in subjectAltName), dNSName
//! and rfc822Name (in subjectAltName). A constraint of another form (IP address, URI,
//! otherName) is checked the safe way: a certificate that carries a name of that form below
//! such a constraint is refused as unverifiable, one that carries none is unaffected.

use der::Encode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};

/// Why a certificate's names break a CA's name constraints, or `Ok`.
pub fn check(ca: &Certificate, cert: &Certificate) -> Result<(), String> {
    let Ok(Some((_, nc))) = ca.tbs_certificate().get_extension::<NameConstraints>() else {
        return Ok(());
    };
    let names = names_of(cert);
    let permitted: Vec<&GeneralName> =
        nc.permitted_subtrees.iter().flatten().map(|s| &s.base).collect();
    let excluded: Vec<&GeneralName> =
        nc.excluded_subtrees.iter().flatten().map(|s| &s.base).collect();
    for name in &names {
        let same_kind: Vec<&&GeneralName> =
            permitted.iter().filter(|p| kind(p) == kind(name)).collect();
        if let Some(k) = unverifiable(name)
            && (!same_kind.is_empty() || excluded.iter().any(|e| kind(e) == kind(name)))
        {
            return Err(format!("a name constraint on {k} names, which seal does not check"));
        }
        if !same_kind.is_empty() && !same_kind.iter().any(|p| within(name, p)) {
            return Err(format!("{} is outside the permitted subtrees", show(name)));
        }
        if let Some(e) = excluded.iter().find(|e| kind(e) == kind(name) && within(name, e)) {
            return Err(format!("{} is within the excluded subtree {}", show(name), show(e)));
        }
    }
    Ok(())
}

/// The names a certificate carries that constraints apply to: its subject (if not empty)
/// and its subjectAltName entries.
fn names_of(cert: &Certificate) -> Vec<GeneralName> {
    let mut out = Vec::new();
    let subject = cert.tbs_certificate().subject();
    if !subject.is_empty() {
        out.push(GeneralName::DirectoryName(subject.clone()));
    }
    if let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() {
        out.extend(san.0);
    }
    out
}

fn kind(n: &GeneralName) -> u8 {
    match n {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

fn unverifiable(n: &GeneralName) -> Option<&'static str> {
    match n {
        GeneralName::Rfc822Name(_) | GeneralName::DnsName(_) | GeneralName::DirectoryName(_) => {
            None
        }
        GeneralName::IpAddress(_) => Some("IP address"),
        GeneralName::UniformResourceIdentifier(_) => Some("URI"),
        _ => Some("other"),
    }
}

fn show(n: &GeneralName) -> String {
    match n {
        GeneralName::Rfc822Name(s) => format!("email {:?}", s.as_str()),
        GeneralName::DnsName(s) => format!("DNS name {:?}", s.as_str()),
        GeneralName::DirectoryName(d) => format!("\"{d}\""),
        _ => "a name".into(),
    }
}

/// True if `name` lies within the subtree `base` (both of one kind).
fn within(name: &GeneralName, base: &GeneralName) -> bool {
    match (name, base) {
        (GeneralName::DirectoryName(n), GeneralName::DirectoryName(b)) => {
            // The base's RDNs are the first RDNs of the name (RFC 5280 §7.1 compares RDNs;
            // here by their DER encodings).
            let (n, b) = (n.as_ref(), b.as_ref());
            b.len() <= n.len()
                && b.iter().zip(n.iter()).all(|(x, y)| x.to_der().ok() == y.to_der().ok())
        }
        (GeneralName::DnsName(n), GeneralName::DnsName(b)) => dns_within(n.as_str(), b.as_str()),
        (GeneralName::Rfc822Name(n), GeneralName::Rfc822Name(b)) => {
            email_within(n.as_str(), b.as_str())
        }
        _ => false,
    }
}

fn dns_within(name: &str, base: &str) -> bool {
    let (name, base) = (name.to_ascii_lowercase(), base.to_ascii_lowercase());
    let base = base.trim_end_matches('.');
    if base.is_empty() {
        return true;
    }
    if let Some(suffix) = base.strip_prefix('.') {
        return name.ends_with(&format!(".{suffix}"));
    }
    name == base || name.ends_with(&format!(".{base}"))
}

fn email_within(name: &str, base: &str) -> bool {
    let (name, base) = (name.to_ascii_lowercase(), base.to_ascii_lowercase());
    if base.contains('@') {
        return name == base;
    }
    let Some((_, host)) = name.rsplit_once('@') else { return false };
    match base.strip_prefix('.') {
        Some(domain) => host.ends_with(&format!(".{domain}")),
        None => host == base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_and_email_subtrees() {
        assert!(dns_within("gov.vn", "gov.vn"));
        assert!(dns_within("hanoi.gov.vn", "gov.vn"));
        assert!(!dns_within("evilgov.vn", "gov.vn"));
        assert!(dns_within("a.gov.vn", ".gov.vn"));
        assert!(!dns_within("gov.vn", ".gov.vn"));
        assert!(email_within("clerk@hanoi.gov.vn", ".gov.vn"));
        assert!(email_within("clerk@gov.vn", "gov.vn"));
        assert!(!email_within("clerk@gov.vn.evil", "gov.vn"));
        assert!(email_within("a@b.vn", "a@b.vn"));
        assert!(!email_within("c@b.vn", "a@b.vn"));
    }
}
