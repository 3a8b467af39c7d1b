//! The arguments of `seal stamp` and `seal extend`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::PassArgs;

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// Stamped PDFs.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub tsa: TsaArgs,
    /// Add validation data only, without a document timestamp.
    #[arg(long, conflicts_with_all = ["tsa", "tsa_dir"])]
    pub no_timestamp: bool,
    /// Where to write the extended document (one input file).
    #[arg(long, short, conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Rewrite each input file (atomically: a temporary file renamed over it).
    #[arg(long)]
    pub in_place: bool,
    /// Overwrite an existing --out.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub long_term: LongTermArgs,
}

/// A PAdES baseline level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    #[value(name = "b-b")]
    BB,
    #[value(name = "b-t")]
    BT,
    #[value(name = "b-lt")]
    BLt,
    #[value(name = "b-lta")]
    BLta,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Cms,
    Ses,
}

#[derive(Debug, Args)]
pub struct StampArgs {
    /// Files or directories to stamp (directories are walked).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The seal (DER).
    #[arg(long)]
    pub seal: PathBuf,
    /// The holder's private key.
    #[arg(long)]
    pub key: PathBuf,
    /// The holder's certificate (default: the seal's holder whose key this is). A PEM
    /// bundle is the certificate followed by its chain.
    #[arg(long)]
    pub cert: Option<PathBuf>,
    /// The holder's chain: the issuing CA certificates up to (not including) the root,
    /// carried in every stamp so that verifiers trusting only the root can check it.
    /// Repeat the option, or give a bundle.
    #[arg(long, value_name = "FILE")]
    pub chain: Vec<PathBuf>,
    /// auto: PDFs get a visible PAdES stamp inside (FILE.stamped.pdf), JSON documents a
    /// JWS stamp inside (FILE.stamped.json), other files a GB/T 38540 stamp (FILE.ses);
    /// cms: a detached CAdES-B signature (FILE.p7s); ses: always FILE.ses.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Write stamps into this directory instead of beside each file.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Overwrite existing stamps.
    #[arg(long)]
    pub force: bool,
    /// Sign with RSASSA-PSS (SHA-256, MGF1, salt 32) instead of PKCS#1 v1.5 (RSA keys only).
    #[arg(long)]
    pub rsa_pss: bool,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub pdf: PdfArgs,
    #[command(flatten)]
    pub long_term: LongTermArgs,
    #[command(flatten)]
    pub pass: PassArgs,
}

/// The timestamp authority signatures are timestamped with.
#[derive(Debug, Args)]
pub struct TsaArgs {
    /// Timestamp each signature (CAdES-B-T, PAdES-B-T) with the TSA at this URL (RFC 3161
    /// over HTTP).
    #[arg(long, value_name = "URL", conflicts_with = "tsa_dir")]
    pub tsa: Option<String>,
    /// Timestamp each signature with an in-process TSA: its directory (`seal tsa new`),
    /// signing with DIR/tsa.key (unencrypted).
    #[arg(long, value_name = "DIR")]
    pub tsa_dir: Option<PathBuf>,
}

/// Where PAdES B-LT and B-LTA validation data comes from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Long-term validation data (B-LT, B-LTA, extend)")]
pub struct LongTermArgs {
    /// CRLs for the /DSS (repeat the option): every certificate below the root, of the
    /// signer's chain and the TSA's, needs its issuer's CRL or an OCSP response.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// OCSP responses for the /DSS (DER; repeat the option), used before CRLs.
    #[arg(long, value_name = "FILE")]
    pub ocsp: Vec<PathBuf>,
    /// Root and CA certificates that end the chains put in the /DSS (files or directories;
    /// repeat the option).
    #[arg(long, value_name = "FILE|DIR")]
    pub trust: Vec<PathBuf>,
}

/// Where and how a PDF (or an OFD document) is stamped.
#[derive(Debug, Args)]
#[command(next_help_heading = "PDF and OFD")]
pub struct PdfArgs {
    /// The page for the seal, from 1 (default: the last page). PDF and OFD.
    #[arg(long, value_name = "N")]
    pub page: Option<usize>,
    /// PDF: the seal's lower-left corner in points (1/72 inch) from the page's lower-left
    /// corner (default: bottom right, half an inch from the edges). OFD: the seal's top-left
    /// corner in millimetres from the page's top-left corner, OFD's own coordinates
    /// (default: bottom right, 20 mm from the right edge, 25 mm from the bottom).
    #[arg(long, value_name = "X,Y")]
    pub at: Option<String>,
    /// Sign this existing empty signature field, or give the new field this name.
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// Why the document is stamped.
    #[arg(long)]
    pub reason: Option<String>,
    /// Where it is stamped.
    #[arg(long)]
    pub location: Option<String>,
    /// Certify the document (DocMDP), allowing only these changes afterwards.
    #[arg(long, value_enum, value_name = "ALLOWED")]
    pub certify: Option<CertifyArg>,
    /// The PAdES baseline level: b-t adds a signature timestamp (needs --tsa or
    /// --tsa-dir; the default when one is given), b-lt also the validation data of the
    /// signature and its timestamp in the /DSS (see --crl), b-lta also a document timestamp.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Also put a cross-page seal: the seal's picture split across the right edges of
    /// all pages.
    #[arg(long)]
    pub cross_page: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CertifyArg {
    /// No changes at all.
    NoChanges,
    /// Filling in forms and further stamps.
    FormFilling,
    /// Form filling, stamps and annotations.
    Annotations,
}
