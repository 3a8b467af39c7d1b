//! Subject names of seal certificates (RFC 5280 §4.1.2.4, X.520).

use der::asn1::{Any, ObjectIdentifier, SetOfVec};
use der::{Decode, Encode, Tag};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

use crate::error::{Error, Result};

/// `id-at-commonName` (X.520).
pub const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// `id-at-countryName` (X.520).
pub const OID_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// `id-at-organizationName` (X.520).
pub const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
/// `id-at-organizationalUnitName` (X.520).
pub const OID_ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
/// `id-at-organizationIdentifier` (X.520, ETSI EN 319 412-1 §5.1.4): a registration
/// number such as a unified social credit code or a VAT number.
pub const OID_ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// The subject of a certificate: who holds the key.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    /// Common name, e.g. "Licensing Office".
    pub common_name: String,
    /// Organisation name, e.g. "City of Example".
    pub organization: String,
    /// Organisational unit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
    /// ISO 3166 two-letter country code.
    pub country: String,
    /// Registration number of the organisation (OID 2.5.4.97), e.g. `VATDE-123456789`
    /// or an 18-character unified social credit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_identifier: Option<String>,
}

impl Subject {
    /// A subject with a common name, an organisation and a country.
    pub fn new(
        common_name: impl Into<String>,
        organization: impl Into<String>,
        country: impl Into<String>,
    ) -> Subject {
        Subject {
            common_name: common_name.into(),
            organization: organization.into(),
            country: country.into(),
            ..Subject::default()
        }
    }

    /// Sets the organisation identifier (OID 2.5.4.97).
    pub fn with_organization_identifier(mut self, id: impl Into<String>) -> Subject {
        self.organization_identifier = Some(id.into());
        self
    }

    /// Sets the organisational unit.
    pub fn with_organizational_unit(mut self, ou: impl Into<String>) -> Subject {
        self.organizational_unit = Some(ou.into());
        self
    }

    /// Encodes this subject as an X.501 `Name`, in the order C, O, OU,
    /// organizationIdentifier, CN. The country is a `PrintableString`, everything else a
    /// `UTF8String` (RFC 5280 §4.1.2.4).
    pub fn to_name(&self) -> Result<Name> {
        let country = self.country.as_str();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::InvalidInput(format!(
                "country {country:?} must be a two-letter ISO 3166 code in capitals, e.g. VN"
            )));
        }
        let mut rdns: Vec<SetOfVec<AttributeTypeAndValue>> = Vec::new();
        let mut push = |oid, tag, value: &str, field: &str| -> Result<()> {
            if value.trim().is_empty() {
                return Err(Error::InvalidInput(format!("subject {field} must not be empty")));
            }
            if value.chars().count() > 64 && oid != OID_ORGANIZATION_IDENTIFIER {
                return Err(Error::InvalidInput(format!(
                    "subject {field} is longer than 64 characters (RFC 5280 upper bound)"
                )));
            }
            let value = Any::new(tag, value.as_bytes()).map_err(|e| Error::decode("name", e))?;
            let mut set = SetOfVec::new();
            set.insert(AttributeTypeAndValue { oid, value })
                .map_err(|e| Error::decode("name", e))?;
            rdns.push(set);
            Ok(())
        };
        push(OID_COUNTRY, Tag::PrintableString, country, "country")?;
        push(OID_ORGANIZATION, Tag::Utf8String, &self.organization, "organisation")?;
        if let Some(ou) = &self.organizational_unit {
            push(OID_ORGANIZATIONAL_UNIT, Tag::Utf8String, ou, "organisational unit")?;
        }
        if let Some(id) = &self.organization_identifier {
            push(OID_ORGANIZATION_IDENTIFIER, Tag::Utf8String, id, "organisation identifier")?;
        }
        push(OID_COMMON_NAME, Tag::Utf8String, &self.common_name, "common name")?;
        let der = rdns.to_der().map_err(|e| Error::decode("name", e))?;
        Name::from_der(&der).map_err(|e| Error::decode("name", e))
    }

    /// Reads the attributes `seal` knows from a `Name`; unknown ones are ignored.
    pub fn from_name(name: &Name) -> Subject {
        Subject {
            common_name: attribute(name, OID_COMMON_NAME).unwrap_or_default(),
            organization: attribute(name, OID_ORGANIZATION).unwrap_or_default(),
            organizational_unit: attribute(name, OID_ORGANIZATIONAL_UNIT),
            country: attribute(name, OID_COUNTRY).unwrap_or_default(),
            organization_identifier: attribute(name, OID_ORGANIZATION_IDENTIFIER),
        }
    }
}

/// The first value of an attribute in a name, as text (UTF8String, PrintableString,
/// IA5String or TeletexString treated as Latin-1).
pub fn attribute(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.iter().find(|atv| atv.oid == oid).and_then(value_text)
}

fn value_text(atv: &AttributeTypeAndValue) -> Option<String> {
    {
        let bytes = atv.value.value();
        match der::Tagged::tag(&atv.value) {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
                std::str::from_utf8(bytes).ok().map(str::to_owned)
            }
            Tag::TeletexString => Some(bytes.iter().map(|&b| b as char).collect()),
            Tag::BmpString => {
                let units: Vec<u16> =
                    bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16(&units).ok()
            }
            _ => None,
        }
    }
}

/// A name as an RFC 4514 string, e.g. `CN=Licensing Office,O=City of Example,C=VN`, with
/// `organizationIdentifier` by name and string values as text.
pub fn display_name(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter_rdn().collect::<Vec<_>>().into_iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let key = match atv.oid {
                OID_COMMON_NAME => "CN".to_owned(),
                OID_COUNTRY => "C".to_owned(),
                OID_ORGANIZATION => "O".to_owned(),
                OID_ORGANIZATIONAL_UNIT => "OU".to_owned(),
                OID_ORGANIZATION_IDENTIFIER => "organizationIdentifier".to_owned(),
                other => match const_oid::db::DB.by_oid(&other) {
                    Some(n) => n.to_owned(),
                    None => other.to_string(),
                },
            };
            out.push_str(&key);
            out.push('=');
            match value_text(atv) {
                Some(text) => {
                    for (k, c) in text.chars().enumerate() {
                        let edge = k == 0 && (c == ' ' || c == '#');
                        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    if text.ends_with(' ') {
                        out.pop();
                        out.push_str("\\ ");
                    }
                }
                None => {
                    out.push('#');
                    out.push_str(&crate::keys::hex(&atv.value.to_der().unwrap_or_default()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_roundtrips_through_name() {
        let s = Subject::new("Licensing Office", "Thành phố Hà Nội", "VN")
            .with_organization_identifier("0101234567")
            .with_organizational_unit("Permits");
        let name = s.to_name().unwrap();
        assert_eq!(Subject::from_name(&name), s);
        let text = display_name(&name);
        assert_eq!(
            text,
            "CN=Licensing Office,organizationIdentifier=0101234567,OU=Permits,O=Thành phố Hà Nội,C=VN"
        );
        let odd = Subject::new("a,b", "#x", "VN").to_name().unwrap();
        assert_eq!(display_name(&odd), "CN=a\\,b,O=\\#x,C=VN");
    }

    #[test]
    fn bad_country_and_empty_fields_are_rejected() {
        assert!(Subject::new("a", "b", "vn").to_name().is_err());
        assert!(Subject::new("a", "b", "VNM").to_name().is_err());
        assert!(Subject::new("", "b", "VN").to_name().is_err());
        assert!(Subject::new("a", " ", "VN").to_name().is_err());
    }
}
