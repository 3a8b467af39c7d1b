//! What the fuzz targets share: a small PKI made once per process in memory (Ed25519, the
//! fastest to sign and verify, so that executions go to parsing), and the validation time.

use std::sync::OnceLock;

use seal_core::keys::{Algorithm, PrivateKey, Signer};
use seal_core::pki::{Certificate, CertificateBuilder, Csr, Profile, Subject, Validity};
use seal_core::seal::{Seal, SealSpec, SealType};
use seal_core::stamp::StampKey;
use seal_core::time::UnixTime;
use seal_core::verify::Trust;

/// A root, a provincial CA, an agency with a seal certificate, a seal maker, the agency's
/// seal, and trust in the root.
pub struct Fixture {
    pub root: Certificate,
    pub prov_key: PrivateKey,
    pub prov: Certificate,
    pub agency_key: PrivateKey,
    pub agency: Certificate,
    pub seal: Seal,
    pub chain: Vec<Certificate>,
    pub trust: Trust,
    pub appearance: seal_core::pdf::Appearance,
}

/// The validation time every target uses (inside every certificate's validity).
pub fn at() -> UnixTime {
    UnixTime::from_secs(1_780_000_000)
}

/// The fixture, made on first use.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make().expect("the fuzzing fixture is made"))
}

fn make() -> seal_core::Result<Fixture> {
    let start = UnixTime::from_secs(at().as_secs() - 86_400 * 30);
    let key = || PrivateKey::generate(Algorithm::Ed25519);
    let root_key = key()?;
    let root = CertificateBuilder::self_signed(
        &Subject::new("Fuzz Root", "Seal Authority", "VN"),
        Profile::Ca { path_len: None },
        Validity::days_from(start, 3650),
    )?
    .build(&root_key)?;
    let issue = |subject: &Subject, k: &PrivateKey, issuer: &Certificate, by: &dyn Signer, p| {
        let csr = Csr::build(subject, k)?;
        CertificateBuilder::from_csr(&csr, issuer, p, Validity::days_from(start, 365))?.build(by)
    };
    let prov_key = key()?;
    let prov = issue(
        &Subject::new("Fuzz Province", "Seal Authority", "VN"),
        &prov_key,
        &root,
        &root_key,
        Profile::Ca { path_len: Some(0) },
    )?;
    let org = |cn: &str| Subject::new(cn, "City", "VN").with_organization_identifier("0101234567");
    let agency_key = key()?;
    let agency = issue(&org("Licensing Office"), &agency_key, &prov, &prov_key, Profile::Seal)?;
    let maker_key = key()?;
    let maker = issue(&org("Seal Maker"), &maker_key, &prov, &prov_key, Profile::SealMaker)?;
    let spec = SealSpec {
        id: "0101234567-01".into(),
        name: "Licensing Office".into(),
        seal_type: SealType::Organization,
        holder: agency.clone(),
        holder_chain: Vec::new(),
        picture_kind: "SVG".into(),
        picture: seal_core::seal::picture::draw_svg("Licensing Office", None, 40).into_bytes(),
        width_mm: 40,
        height_mm: 40,
        valid_start: start,
        valid_end: start.plus_days(365),
        created: start,
    };
    let seal = Seal::from_der(&seal_core::seal::make_seal(&spec, &maker_key, &maker)?)?;
    let appearance = seal_core::pdf::Appearance::for_seal(&seal)?;
    let trust = Trust {
        anchors: vec![root.clone()],
        intermediates: vec![prov.clone()],
        ..Trust::default()
    };
    Ok(Fixture {
        root,
        prov_key,
        prov: prov.clone(),
        agency_key,
        agency,
        seal,
        chain: vec![prov],
        trust,
        appearance,
    })
}

impl Fixture {
    /// The agency's stamping key.
    pub fn key(&self) -> StampKey<'_> {
        StampKey {
            seal: &self.seal,
            signer: &self.agency_key,
            cert: &self.agency,
            chain: &self.chain,
        }
    }
}
