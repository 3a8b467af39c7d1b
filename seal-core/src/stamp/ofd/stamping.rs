//! Stamping OFD documents (GB/T 33190 §18, GB/T 38540): an electronic seal added as
//! national seal systems add it.
//!
//! - `Doc_N/Signs/Sign_K/Signature.xml`: the signature description. Its `References` list
//!   the digest (SM3 for an SM2 key, SHA-256 otherwise) of every part of the package but the
//!   signature list, this signature's own description and its signed value; a
//!   `StampAnnot` puts the seal's picture on a page at its printed size.
//! - `Doc_N/Signs/Sign_K/SignedValue.dat`: the `SES_Signature` over the description
//!   (`dataHash` is its hash, `propertyInfo` its path).
//! - The signature list (`Signatures.xml`) gains the new entry; OFD.xml names the list if
//!   it did not.
//!
//! Every other part is copied byte for byte (raw zip entries, not recompressed), so every
//! earlier stamp keeps verifying: the only parts a new stamp changes are the signature list,
//! which GB/T 33190 lets each signature add to and no stamp of ours covers, and, on the first
//! stamp, OFD.xml. A package whose earlier stamp covers one of those is refused, naming it.

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::Path;

use base64ct::Encoding as _;
use quick_xml::escape::escape;

use super::package::Package;
use super::xml::{self, element_attrs, elements_text, end_tag, normalize, references, text_span};
use crate::digest::HashAlg;
use crate::error::{Error, Result, ResultExt};
use crate::io::{Staged, WriteOptions};
use crate::seal::{data_hash_alg, make_stamp_timestamped};
use crate::stamp::StampKey;
use crate::time::UnixTime;

/// The OFD namespace GB/T 33190 gives; a document that uses another (Suwell's early
/// `http://www.ofdspec.org`) gets its own in the parts we write.
const NS: &str = "http://www.ofdspec.org/2016";

/// The namespace OFD.xml binds its root element's prefix (or the default) to.
fn namespace(ofd_xml: &str) -> String {
    element_attrs(ofd_xml, "OFD")
        .into_iter()
        .next()
        .and_then(|a| a.into_iter().find(|(k, _)| k == "ofd" || k == "xmlns").map(|(_, v)| v))
        .filter(|v| v.starts_with("http://www.ofdspec.org"))
        .unwrap_or_else(|| NS.to_owned())
}

/// Where the seal goes.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StampOptions {
    /// The page (1-based); default: the last page.
    pub page: Option<usize>,
    /// The seal's top-left corner in millimetres from the page's top-left corner (OFD's
    /// own coordinates); default: bottom right, 20 mm from the right edge and 25 mm from
    /// the bottom.
    pub at: Option<(f64, f64)>,
}

/// What stamping did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Stamped {
    /// The new signature description, e.g. `Doc_0/Signs/Sign_1/Signature.xml`.
    pub signature: String,
    /// The page the seal is on (1-based).
    pub page: usize,
    /// The seal's box on the page in millimetres: x, y (from the top left), width, height.
    pub boundary: (f64, f64, f64, f64),
    /// How many parts the stamp covers.
    pub covered: usize,
}

fn invalid<T>(why: impl Into<String>) -> Result<T> {
    Err(Error::InvalidInput(why.into()))
}

/// Stamps the OFD document `input` into `output`, written under a temporary name (commit
/// the result to put it in place).
pub fn stage(
    input: &Path,
    output: &Path,
    key: &StampKey<'_>,
    opts: &StampOptions,
    time: UnixTime,
    timestamper: Option<&dyn crate::tsp::Timestamper>,
    force: bool,
) -> Result<(Staged, Stamped)> {
    key.check()?;
    let mut pkg = Package::open(input).in_file(input)?;
    let plan = Plan::new(&mut pkg, key, opts).in_file(input)?;
    let (replaced, stamped) = plan.sign(&mut pkg, key, time, timestamper).in_file(input)?;
    let staged = crate::io::stage_with(output, WriteOptions::PUBLIC.force(force), |f| {
        write_package(&mut pkg, f, &replaced)
    })?;
    Ok((staged, stamped))
}

/// What the new stamp changes in the package, decided before anything is signed.
struct Plan {
    ns: String,
    ofd_xml: Option<String>,
    list: String,
    list_xml: String,
    dir: String,
    page: usize,
    page_id: String,
    boundary: (f64, f64, f64, f64),
}

impl Plan {
    fn new(pkg: &mut Package, key: &StampKey<'_>, opts: &StampOptions) -> Result<Plan> {
        let ofd = pkg.read_text("OFD.xml")?;
        let ns = namespace(&ofd);
        let body = xml::doc_bodies(&ofd).into_iter().next();
        let Some(doc_root) = body.as_ref().and_then(|b| b.doc_root.clone()) else {
            return invalid("OFD.xml names no document (DocBody/DocRoot)");
        };
        let doc_dir = doc_root.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let files = pkg.files().to_vec();
        // The signature list: the one OFD.xml names, one already in the document, or a new
        // one that OFD.xml is made to name.
        let named = body.and_then(|b| b.signatures);
        let existing = named.clone().or_else(|| {
            files.iter().find(|f| f.starts_with(&doc_dir) && f.ends_with("Signatures.xml")).cloned()
        });
        let (list, ofd_xml) = match (&named, existing) {
            (Some(list), _) => (list.clone(), None),
            (None, Some(list)) => (list, None),
            (None, None) => {
                let list = join(&doc_dir, "Signs/Signatures.xml");
                let Some((at, prefix)) = end_tag(&ofd, "DocBody") else {
                    return invalid("OFD.xml has no DocBody element");
                };
                let entry = format!("<{prefix}Signatures>/{list}</{prefix}Signatures>");
                (list, Some(format!("{}{entry}{}", &ofd[..at], &ofd[at..])))
            }
        };
        let list_xml = match files.contains(&list) {
            true => pkg.read_text(&list)?,
            false => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signatures xmlns:ofd=\"{ns}\"><ofd:MaxSignId>0</ofd:MaxSignId></ofd:Signatures>"
            ),
        };
        refuse_covered(pkg, &list, &list_xml, ofd_xml.is_some())?;
        let signs = list.rsplit_once('/').map_or("", |(d, _)| d);
        let dir = (0..)
            .map(|k| join(signs, &format!("Sign_{k}")))
            .find(|d| !files.iter().any(|f| f.starts_with(&format!("{d}/"))))
            .unwrap_or_default();
        let (page, page_id, size) = page_of(pkg, &doc_root, opts.page)?;
        let mm = |v: i64| (1..=500).contains(&v).then_some(v as f64);
        let pic = &key.seal.picture;
        let (Some(w), Some(h)) = (mm(pic.width_mm), mm(pic.height_mm)) else {
            return invalid(format!(
                "the seal's picture is {} x {} mm: a printed size of 1 to 500 mm is needed",
                pic.width_mm, pic.height_mm
            ));
        };
        let (x, y) = opts.at.unwrap_or((size.0 - w - 20.0, size.1 - h - 25.0));
        if x < 0.0 || y < 0.0 || x + w > size.0 + 1e-9 || y + h > size.1 + 1e-9 {
            return invalid(format!(
                "the seal ({w} x {h} mm) at {x},{y} mm does not fit on page {page} ({} x {} mm)",
                size.0, size.1
            ));
        }
        Ok(Plan { ns, ofd_xml, list, list_xml, dir, page, page_id, boundary: (x, y, w, h) })
    }

    /// Signs: the new parts and the changed ones, by name.
    fn sign(
        &self,
        pkg: &mut Package,
        key: &StampKey<'_>,
        time: UnixTime,
        timestamper: Option<&dyn crate::tsp::Timestamper>,
    ) -> Result<(HashMap<String, Vec<u8>>, Stamped)> {
        let alg = key.signer.algorithm();
        let hash = data_hash_alg(alg)?;
        let (sig_path, value_path) =
            (format!("{}/Signature.xml", self.dir), format!("{}/SignedValue.dat", self.dir));
        // Every part, as the new package will hold it, but the list and our own two.
        let mut refs = Vec::new();
        for part in pkg.files().to_vec() {
            if part == self.list {
                continue;
            }
            let digest = match (&self.ofd_xml, part.as_str()) {
                (Some(new), "OFD.xml") => hash.hash(new.as_bytes()),
                _ => pkg.hash(&part, hash)?,
            };
            refs.push((part, digest));
        }
        let (max, ids) = signature_ids(&self.list_xml);
        let (sign_id, annot_id) = (max + 1, max + 2);
        let (x, y, w, h) = self.boundary;
        let mut desc = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signature xmlns:ofd=\"{}\"><ofd:SignedInfo><ofd:Provider ProviderName=\"seal\" Version=\"{}\" Company=\"seal-rs\"/><ofd:SignatureMethod>{}</ofd:SignatureMethod><ofd:SignatureDateTime>{}</ofd:SignatureDateTime><ofd:References CheckMethod=\"{}\">",
            self.ns,
            env!("CARGO_PKG_VERSION"),
            alg.signature_algorithm_identifier().oid,
            time.to_string().replace(['-', ':', 'T'], ""),
            check_method(hash),
        );
        for (part, digest) in &refs {
            desc.push_str(&format!(
                "<ofd:Reference FileRef=\"/{}\"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>",
                escape(part),
                base64ct::Base64::encode_string(digest)
            ));
        }
        desc.push_str(&format!(
            "</ofd:References><ofd:StampAnnot ID=\"{annot_id}\" PageRef=\"{}\" Boundary=\"{x:.2} {y:.2} {w:.2} {h:.2}\"/></ofd:SignedInfo><ofd:SignedValue>/{value_path}</ofd:SignedValue></ofd:Signature>",
            escape(&self.page_id)
        ));
        let data_hash: [u8; 32] = hash
            .hash(desc.as_bytes())
            .try_into()
            .map_err(|_| Error::InvalidInput(format!("{} is not 32 bytes", hash.name())))?;
        let value = make_stamp_timestamped(
            key.seal,
            &data_hash,
            &format!("/{sig_path}"),
            time,
            (key.signer, key.cert),
            timestamper,
        )?;
        let list_xml = add_signature(&self.list_xml, sign_id, annot_id, &sig_path, &ids)?;
        let mut out = HashMap::new();
        if let Some(ofd) = &self.ofd_xml {
            out.insert("OFD.xml".to_owned(), ofd.clone().into_bytes());
        }
        out.insert(self.list.clone(), list_xml.into_bytes());
        out.insert(sig_path.clone(), desc.into_bytes());
        out.insert(value_path, value);
        let stamped = Stamped {
            signature: sig_path,
            page: self.page,
            boundary: self.boundary,
            covered: refs.len(),
        };
        Ok((out, stamped))
    }
}

/// Refuses to change a part an earlier stamp covers: the signature list always, OFD.xml
/// when it must name a new list.
fn refuse_covered(pkg: &mut Package, list: &str, list_xml: &str, ofd_changes: bool) -> Result<()> {
    let base = list.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    for attrs in element_attrs(list_xml, "Signature") {
        let Some((_, loc)) = attrs.iter().find(|(k, _)| k == "BaseLoc") else { continue };
        let path = normalize(loc, &base);
        let Ok(text) = pkg.read_text(&path) else { continue };
        for (file, _) in references(&text) {
            let file = normalize(&file, "");
            if file == list || (ofd_changes && file == "OFD.xml") {
                return invalid(format!(
                    "the earlier signature {path} covers {file}, which a new stamp must change: \
                     stamping would break it"
                ));
            }
        }
    }
    Ok(())
}

/// The page (1-based, default the last), its ID and its size in millimetres.
fn page_of(
    pkg: &mut Package,
    doc_root: &str,
    page: Option<usize>,
) -> Result<(usize, String, (f64, f64))> {
    let doc = pkg.read_text(doc_root)?;
    let pages: Vec<(String, String)> = element_attrs(&doc, "Page")
        .into_iter()
        .filter_map(|a| {
            let get = |k: &str| a.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            Some((get("ID")?, get("BaseLoc")?))
        })
        .collect();
    if pages.is_empty() {
        return invalid(format!("{doc_root} lists no pages"));
    }
    let n = page.unwrap_or(pages.len());
    if n == 0 || n > pages.len() {
        return invalid(format!("page {n}: the document has {} page(s)", pages.len()));
    }
    let (id, loc) = &pages[n - 1];
    let dir = doc_root.rsplit_once('/').map_or("", |(d, _)| d);
    let content = pkg.read_text(&normalize(loc, dir)).unwrap_or_default();
    let boxes = elements_text(&content, "PhysicalBox");
    let text =
        boxes.first().cloned().or_else(|| elements_text(&doc, "PhysicalBox").into_iter().next());
    let size = text
        .and_then(|t| {
            let v: Vec<f64> = t.split_whitespace().filter_map(|n| n.parse().ok()).collect();
            (v.len() == 4 && v[2] > 0.0 && v[3] > 0.0).then(|| (v[2], v[3]))
        })
        .unwrap_or((210.0, 297.0));
    Ok((n, id.clone(), size))
}

/// The largest ID in a signature list (its MaxSignId and every signature's ID), and the IDs.
fn signature_ids(list_xml: &str) -> (u64, Vec<String>) {
    let ids: Vec<String> = element_attrs(list_xml, "Signature")
        .into_iter()
        .filter_map(|a| a.into_iter().find(|(k, _)| k == "ID").map(|(_, v)| v))
        .collect();
    let digits =
        |s: &str| s.trim().trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<u64>().ok();
    let max_sign =
        elements_text(list_xml, "MaxSignId").first().and_then(|s| digits(s)).unwrap_or(0);
    let max = ids.iter().filter_map(|i| digits(i)).chain([max_sign]).max().unwrap_or(0);
    (max, ids)
}

/// The list with the new signature added and MaxSignId raised.
fn add_signature(
    list_xml: &str,
    id: u64,
    annot: u64,
    sig_path: &str,
    ids: &[String],
) -> Result<String> {
    if ids.iter().any(|i| i == &id.to_string()) {
        return invalid(format!("the signature list already has the ID {id}"));
    }
    let Some((end, prefix)) = end_tag(list_xml, "Signatures") else {
        return invalid("the signature list has no Signatures element");
    };
    let entry =
        format!("<{prefix}Signature ID=\"{id}\" Type=\"Seal\" BaseLoc=\"/{}\"/>", escape(sig_path));
    let mut out = format!("{}{entry}{}", &list_xml[..end], &list_xml[end..]);
    match text_span(&out, "MaxSignId") {
        Some(span) => out.replace_range(span, &annot.to_string()),
        None => {
            let Some(open) = out
                .find(&format!("<{prefix}Signatures"))
                .and_then(|s| out[s..].find('>').map(|e| s + e + 1))
            else {
                return invalid("the signature list has no Signatures element");
            };
            out.insert_str(open, &format!("<{prefix}MaxSignId>{annot}</{prefix}MaxSignId>"));
        }
    }
    Ok(out)
}

/// The package with `replaced` parts put in (new ones at the end), every other entry
/// copied as it is.
fn write_package(
    pkg: &mut Package,
    f: &mut std::fs::File,
    replaced: &HashMap<String, Vec<u8>>,
) -> Result<()> {
    let mut w = zip::ZipWriter::new(f);
    let left = pkg.copy_into(&mut w, replaced)?;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut names: Vec<&String> = left.iter().collect();
    names.sort();
    for name in names {
        put(&mut w, name, &replaced[name], opts)?;
    }
    w.finish().map_err(|e| Error::decode("OFD package (writing)", e))?;
    Ok(())
}

pub(super) fn put<W: Write + Seek>(
    w: &mut zip::ZipWriter<W>,
    name: &str,
    data: &[u8],
    opts: zip::write::SimpleFileOptions,
) -> Result<()> {
    w.start_file(name, opts).map_err(|e| Error::decode("OFD package (writing)", e))?;
    w.write_all(data)?;
    Ok(())
}

fn check_method(hash: HashAlg) -> &'static str {
    match hash {
        HashAlg::Sha256 => "2.16.840.1.101.3.4.2.1",
        // SM3 (GM/T 0006): the only other data hash of a stamp.
        _ => "1.2.156.10197.1.401",
    }
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() { rest.to_owned() } else { format!("{dir}/{rest}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_joins_the_list_with_its_prefix_and_raises_max_sign_id() {
        // As keyword.ofd's vendor writes it: MaxSignId "s4", indented.
        let list = "<?xml version=\"1.0\"?>\n<ofd:Signatures xmlns:ofd=\"x\">\n    <ofd:MaxSignId>s4</ofd:MaxSignId>\n    <ofd:Signature ID=\"2\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_1/Signature.xml\"/>\n</ofd:Signatures>";
        let (max, ids) = signature_ids(list);
        assert_eq!((max, ids.as_slice()), (4, &["2".to_owned()][..]));
        let out = add_signature(list, 5, 6, "Doc_0/Signs/Sign_2/Signature.xml", &ids).unwrap();
        assert!(out.contains("<ofd:MaxSignId>6</ofd:MaxSignId>"), "{out}");
        assert!(out.contains("<ofd:Signature ID=\"5\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_2/Signature.xml\"/></ofd:Signatures>"), "{out}");
        // Without a prefix or MaxSignId (the ID is then the highest signature's plus one).
        let bare = "<Signatures xmlns=\"x\"><Signature ID=\"7\" BaseLoc=\"a.xml\"/></Signatures>";
        let (max, ids) = signature_ids(bare);
        assert_eq!(max, 7);
        let out = add_signature(bare, 8, 9, "S/Signature.xml", &ids).unwrap();
        assert_eq!(
            out,
            "<Signatures xmlns=\"x\"><MaxSignId>9</MaxSignId><Signature ID=\"7\" BaseLoc=\"a.xml\"/><Signature ID=\"8\" Type=\"Seal\" BaseLoc=\"/S/Signature.xml\"/></Signatures>"
        );
        assert!(add_signature(bare, 7, 8, "S/Signature.xml", &ids).is_err());
        assert!(add_signature("<a/>", 1, 2, "S", &[]).is_err());
    }
}
