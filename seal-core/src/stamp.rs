//! Stamping documents with an electronic seal, and verifying stamped documents.
//!
//! - [`detached`]: any file, with a GB/T 38540 `SES_Signature` beside it.
//! - [`ofd`]: verifying stamped OFD documents.
//! - PDFs are stamped inside, with a visible seal (PAdES): see [`crate::pdf`].

mod batch;
pub mod cms;
pub mod detached;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "ofd")]
pub mod ofd;

pub use batch::{BatchItem, Job, collect_files, stamp_many};

use crate::keys::Signer;
use crate::pki::Certificate;
use crate::seal::Seal;

/// What stamping needs: the seal, the holder's signing key and the holder's certificate.
#[derive(Clone, Copy)]
pub struct StampKey<'a> {
    /// The seal (its holders must include `cert`).
    pub seal: &'a Seal,
    /// The holder's key: a key file, a token, a remote service.
    pub signer: &'a dyn Signer,
    /// The holder's certificate.
    pub cert: &'a Certificate,
    /// Certificates from the holder's issuer up to (not including) the trust anchor,
    /// carried in the stamp so that verifiers who trust only the root can build the path.
    /// When empty, the chain the seal carries for the certificate is used (see
    /// [`Seal::holder_chain`]).
    pub chain: &'a [Certificate],
}

impl StampKey<'_> {
    /// The chain's certificates as DER: [`StampKey::chain`], or else the seal's chain for
    /// the certificate.
    pub fn chain_der(&self) -> Result<Vec<Vec<u8>>> {
        let chain = match self.chain.is_empty() {
            true => crate::seal::chain_for(self.cert, self.seal.holder_chain()),
            false => self.chain.to_vec(),
        };
        chain.iter().map(crate::pki::certificate_der).collect()
    }

    /// Checks that the certificate is one of the seal's holders and that the key is the
    /// certificate's; returns the certificate's DER.
    pub fn check(&self) -> Result<Vec<u8>> {
        let cert_der = crate::pki::certificate_der(self.cert)?;
        if !self.seal.binds(&cert_der) {
            return Err(Error::KeyMismatch(format!(
                "the signer certificate is not one of the holders of seal \"{}\"",
                self.seal.name
            )));
        }
        if &crate::pki::certificate_key(self.cert)? != self.signer.public_key() {
            return Err(Error::KeyMismatch(
                "the stamping key does not belong to the signer certificate".into(),
            ));
        }
        Ok(cert_der)
    }
}

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, ResultExt};

/// Stamps a file now with the seal, as `seal stamp FILE` does, and returns where the
/// output went: a PDF or JSON document gets the stamp inside (`doc.stamped.pdf`), any other
/// file a detached GB/T 38540 stamp beside it (`FILE.ses`). The signer's certificate is
/// the seal holder's whose key it is. An existing output is kept (an error); the output is
/// written to a temporary file, synced and renamed. For many files, other formats, a
/// timestamp or PDF placement, see [`stamp_many`] and [`Job`].
///
/// ```no_run
/// use seal_core::keys::PrivateKey;
/// use seal_core::seal::Seal;
/// use seal_core::secret::PassphraseSource;
///
/// # fn main() -> seal_core::Result<()> {
/// let seal = Seal::load("agency.esl".as_ref())?;
/// let key = PrivateKey::load("agency.key".as_ref(), &PassphraseSource::Env("SEAL_PASS".into()))?;
/// let out = seal_core::stamp::stamp("contract.pdf", &seal, &key)?;
/// println!("wrote {}", out.display());
/// # Ok(())
/// # }
/// ```
pub fn stamp(
    file: impl AsRef<Path>,
    seal: &Seal,
    signer: &dyn crate::keys::Signer,
) -> Result<PathBuf> {
    let file = file.as_ref();
    let cert = seal.holder_for(signer.public_key())?;
    let key = StampKey { seal, signer, cert: &cert, chain: &[] };
    let job = Job::new(key, UnixTime::now());
    let done = stamp_many(&[file.to_path_buf()], &job, &|| {}).into_iter().next();
    done.map_or_else(|| Err(Error::InvalidInput("nothing stamped".into())), |item| item.result)
}
use crate::time::UnixTime;
use crate::verify::{Report, Trust};

/// Verifies a stamped file, detecting its format: an OFD package (stamps inside), or any
/// file with a detached `SES_Signature` (`sig`, or `FILE.ses` beside it).
pub fn verify(file: &Path, sig: Option<&Path>, trust: &Trust, at: UnixTime) -> Result<Report> {
    if sig.is_none() {
        match sniff(file)? {
            #[cfg(feature = "ofd")]
            Sniffed::Ofd => return ofd::verify(file, trust, at),
            #[cfg(not(feature = "ofd"))]
            Sniffed::Ofd => return Err(Error::not_built("OFD packages", "ofd").in_file(file)),
            #[cfg(feature = "pdf")]
            Sniffed::Pdf => return crate::pdf::verify(file, trust, at),
            #[cfg(not(feature = "pdf"))]
            Sniffed::Pdf => return Err(Error::not_built("PDF documents", "pdf").in_file(file)),
            #[cfg(feature = "json")]
            Sniffed::Json => {
                let data = crate::io::read(file)?;
                let doc = json::parse_document(&data).in_file(file)?;
                let reports = json::verify(&doc, trust, at).in_file(file)?;
                // A JSON file without stamps inside may have a detached stamp beside it.
                let beside = [with_suffix(file, "ses"), with_suffix(file, "p7s")];
                if !reports.is_empty() || !beside.iter().any(|p| p.exists()) {
                    return Ok(Report::new(file.display().to_string(), at, reports));
                }
            }
            // Without JSON stamps, a JSON file can still have a detached stamp beside it.
            #[cfg(not(feature = "json"))]
            Sniffed::Json => {}
            Sniffed::Other => {
                if let Some((report, _)) = verify_enveloping(file, trust, at)? {
                    return Ok(report);
                }
            }
        }
    }
    let sig_path = match sig {
        Some(p) => p.to_path_buf(),
        None => {
            let candidates = [with_suffix(file, "ses"), with_suffix(file, "p7s")];
            match candidates.iter().find(|p| p.exists()) {
                Some(p) => p.clone(),
                None => {
                    return Err(Error::InvalidInput(format!(
                        "no stamp found: {} is not an OFD package or a JSON document, and neither \
                         {} nor {} exists (pass --sig)",
                        file.display(),
                        candidates[0].display(),
                        candidates[1].display()
                    )));
                }
            }
        }
    };
    let data = crate::io::read(&sig_path)?;
    let reports = if cms::is_cms(&data) {
        cms::verify_file(file, &data, trust, at).in_file(&sig_path)?
    } else {
        vec![detached::verify_file(file, &data, trust, at).in_file(&sig_path)?]
    };
    Ok(Report::new(file.display().to_string(), at, reports))
}

/// The most an enveloping CMS file (`.p7m`) may hold: it is read whole.
const MAX_ENVELOPING: u64 = 256 << 20;

/// Verifies an enveloping (attached) CMS signature, a `.p7m`: the signed content is inside.
/// Returns the report and the content, or `None` if the file is not an attached CMS
/// SignedData.
pub fn verify_enveloping(
    file: &Path,
    trust: &Trust,
    at: UnixTime,
) -> Result<Option<(Report, Vec<u8>)>> {
    let size = std::fs::metadata(file).in_file(file)?.len();
    if size > MAX_ENVELOPING {
        return Ok(None);
    }
    let data = crate::io::read(file)?;
    if !cms::is_cms(&data) || cms::encapsulated_content(&data).ok().flatten().is_none() {
        return Ok(None);
    }
    let (reports, content) =
        cms::verify_attached(&file.display().to_string(), &data, trust, at).in_file(file)?;
    Ok(Some((Report::new(file.display().to_string(), at, reports), content)))
}

enum Sniffed {
    Json,
    Pdf,
    Ofd,
    Other,
}

fn sniff(file: &Path) -> Result<Sniffed> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut f = std::fs::File::open(file).in_file(file)?;
    let n = f.read(&mut head).in_file(file)?;
    let head = &head[..n];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Sniffed::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Sniffed::Ofd);
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(Sniffed::Json);
    }
    Ok(Sniffed::Other)
}

/// True if the file is stamped inside itself as JSON (by its extension).
pub fn is_json(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// True if the file is stamped inside itself as an OFD document (by its extension).
pub fn is_ofd(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("ofd"))
}

/// True if the file is stamped inside itself as a PDF (by its extension).
pub fn is_pdf(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// `file` with `.suffix` appended to its whole name (`a.pdf` → `a.pdf.ses`).
pub fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// How to stamp a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON documents inside (JWS), other files with a GB/T 38540 stamp.
    Auto,
    /// A detached CMS signature, CAdES-B (`FILE.p7s`).
    Cms,
    /// A detached GB/T 38540 `SES_Signature` (`FILE.ses`).
    Ses,
}

/// Where a stamp for `file` goes: beside it, or in `out_dir` under the same name. JSON
/// documents and PDFs are stamped inside: `doc.json` becomes `doc.stamped.json` and
/// `doc.pdf` becomes `doc.stamped.pdf` (a document already named `*.stamped.*` keeps its
/// name, for co-stamping with `force`).
pub fn stamp_path(file: &Path, format: Format, out_dir: Option<&Path>) -> PathBuf {
    let beside = if format == Format::Cms {
        with_suffix(file, "p7s")
    } else if format == Format::Auto && (is_json(file) || is_pdf(file) || is_ofd(file)) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) => (stem.to_string(), ext.to_string()),
            None => (name.clone(), String::new()),
        };
        let out =
            if stem.ends_with(".stamped") { name.clone() } else { format!("{stem}.stamped.{ext}") };
        file.with_file_name(out)
    } else {
        with_suffix(file, "ses")
    };
    match (out_dir, beside.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => beside,
    }
}

/// Reads a JSON document, adds a stamp (timestamped by `timestamper`, if any), and returns
/// the stamped document (pretty-printed).
#[cfg(feature = "json")]
pub fn json_stamp_bytes(
    file: &Path,
    key: &StampKey<'_>,
    time: UnixTime,
    timestamper: Option<&dyn crate::tsp::Timestamper>,
) -> Result<Vec<u8>> {
    let data = crate::io::read(file)?;
    let mut doc = json::parse_document(&data).in_file(file)?;
    json::stamp_timestamped(&mut doc, key, time, timestamper).in_file(file)?;
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| Error::decode("JSON document", e))?;
    out.push(b'\n');
    Ok(out)
}
