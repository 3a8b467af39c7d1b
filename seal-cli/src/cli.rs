//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod licence;
mod stamp;
mod tsa;
pub use licence::*;
pub use stamp::*;
pub use tsa::*;

/// Electronic seals, stamped documents and licences that anyone can verify offline.
#[derive(Debug, Parser)]
#[command(
    name = "seal",
    version,
    after_help = "Exit codes: 0 success or verified, 1 verified but invalid or indeterminate, \
                  2 bad usage or unreadable input.\n\n\
                  Example session:\n  \
                  seal ca new --dir root --cn 'Root CA' --org 'Seal Authority' --country VN\n  \
                  seal key new --out agency.key\n  \
                  seal csr --key agency.key --cn 'Licensing Office' --org 'City' --country VN --org-id 0101234567 --out agency.csr\n  \
                  seal ca issue --dir root --csr agency.csr --profile seal --out agency.pem\n  \
                  seal cert verify agency.pem --trust root/ca.pem"
)]
pub struct Cli {
    /// Print results as JSON (one object per result) for scripts.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a test PKI, issue a seal certificate and verify everything (built-in defaults).
    #[command(after_help = "Example:\n  seal demo --dir demo-out")]
    Demo(DemoArgs),
    /// Generate keys and print public keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Make a PKCS#10 certificate signing request with your own key.
    #[command(
        after_help = "Example:\n  seal csr --key agency.key --cn 'Licensing Office' --org 'City of Example' \\\n    --country VN --org-id 0101234567 --out agency.csr"
    )]
    Csr(CsrArgs),
    /// Run a certificate authority: create, issue, revoke, publish CRLs.
    #[command(subcommand)]
    Ca(CaCommand),
    /// PKCS#11 tokens: list slots, tokens and keys.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show and verify certificates.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Make, show and verify electronic seals (GB/T 38540).
    #[command(subcommand)]
    Seal(SealCommand),
    /// Stamp files with a seal: PDFs (a visible PAdES seal inside), JSON (a JWS inside), other
    /// files with a detached GB/T 38540 or CAdES stamp beside them.
    #[command(
        after_help = "Examples:\n  seal stamp contract.pdf --seal agency.esl --key agency.key\n  \
                            seal stamp ./outbox --seal agency.esl --key agency.key   # every file, in parallel"
    )]
    Stamp(StampArgs),
    /// Issue and verify electronic licences (COSE, QR codes); publish their status lists.
    #[command(subcommand)]
    Licence(LicenceCommand),
    /// Build, sign, show and verify trust lists of licence issuers.
    #[command(subcommand, name = "trust-list")]
    TrustList(TrustListCommand),
    /// Run a time-stamping authority (RFC 3161), timestamp files and verify timestamps.
    #[command(subcommand)]
    Tsa(TsaCommand),
    /// Run a remote signing service (CSC API v1.0.4.0) in front of key files and PKCS#11
    /// tokens, for staff and batch systems; or hash a password or PIN for its configuration.
    #[command(after_help = "Examples:\n  \
                            SECRET=... seal serve --hash-secret --passphrase-env SECRET\n  \
                            seal serve --config serve.toml --listen 127.0.0.1:8443")]
    Serve(ServeArgs),
    /// Add validation data (/DSS) for every signature and timestamp of stamped PDFs and a
    /// new document timestamp (PAdES B-LTA), so that they stay verifiable after the newest
    /// timestamp's certificate expires.
    #[command(
        after_help = "Examples:\n  seal extend contract.stamped.pdf --tsa http://127.0.0.1:3180 \
                      --crl province.crl --crl root.crl --out contract.lta.pdf\n  \
                      seal extend archive/*.pdf --tsa-dir tsa --crl province.crl --in-place"
    )]
    Extend(ExtendArgs),
    /// Verify a stamped file (format detected): PDF, OFD, JSON, or any file with its detached
    /// GB/T 38540 or CMS stamp.
    #[command(after_help = "Examples:\n  seal verify contract.stamped.pdf --trust root.pem\n  \
                            seal verify licence.ofd --trust root.pem\n  \
                            seal verify report.docx --sig report.docx.ses --trust root.pem --json")]
    Verify(VerifyArgs),
}

/// Trust anchors, intermediates, CRLs and the validation time.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Trust anchors: a certificate file (PEM bundles and DER), or a directory of them.
    /// Repeat the option for more. Required.
    #[arg(long, required = true, value_name = "FILE|DIR")]
    pub trust: Vec<PathBuf>,
    /// Untrusted intermediate certificates (files or directories; repeat the option).
    /// Certificates carried inside a signature are used too.
    #[arg(long, value_name = "FILE|DIR")]
    pub untrusted: Vec<PathBuf>,
    /// CRL files (repeat the option).
    #[arg(long)]
    pub crl: Vec<PathBuf>,
    /// OCSP responses (DER, as `openssl ocsp -respout` writes them; repeat the option):
    /// revocation evidence used before CRLs.
    #[arg(long)]
    pub ocsp: Vec<PathBuf>,
    /// Validation time (default now): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.
    #[arg(long)]
    pub at: Option<String>,
    /// Stricter rules: cades-baseline makes a CMS signature without signing-certificate-v2
    /// fail (by default it passes as plain CMS, and the report says so).
    #[arg(long, value_enum)]
    pub policy: Vec<PolicyArg>,
    /// A certificate whose revocation was not checked (no CRL given for it) makes the
    /// result INDETERMINATE (TRY_LATER); by default the report says "not checked".
    #[arg(long)]
    pub require_revocation: bool,
    /// Changes to accept beyond the default. annotations: PDF comments added or changed
    /// after an uncertified signature (a certified document's DocMDP level still decides);
    /// ofd-metadata: an OFD.xml no stamp covers, when only its DocInfo can differ.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub allow: Vec<AllowArg>,
    /// Seal-making authorities to accept beside those whose certificates carry the
    /// seal-maker role: their certificates (files or directories; repeat the option).
    #[arg(long, value_name = "FILE|DIR")]
    pub seal_maker: Vec<PathBuf>,
    /// Trust-list signers to accept beside the trust anchors and certificates carrying the
    /// trust-list-signer role (files or directories; repeat the option).
    #[arg(long, value_name = "FILE|DIR")]
    pub list_signer: Vec<PathBuf>,
}

/// A kind of later PDF change to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AllowArg {
    /// Annotations (comments, stamps, shapes) added or changed after signing.
    Annotations,
    /// OFD: an OFD.xml the stamps do not cover, when only its document information
    /// (DocInfo, e.g. an invoice's data fields) can differ.
    OfdMetadata,
}

/// A verification policy to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyArg {
    /// CAdES baseline (ETSI EN 319 122-1): signing-certificate-v2 required.
    CadesBaseline,
}

#[derive(Debug, Subcommand)]
pub enum SealCommand {
    /// Make a seal: the seal-making authority binds a picture and properties to a holder's certificate.
    #[command(
        after_help = "Example:\n  seal seal new --maker-key maker.key --maker-cert maker.pem --holder-cert agency.pem \\\n    \
                            --name 'Licensing Office' --id 0101234567-01 --draw --out agency.esl"
    )]
    New(SealNewArgs),
    /// Show a seal's properties, picture and certificates.
    #[command(after_help = "Example:\n  seal seal show agency.esl --picture agency.png")]
    Show(SealShowArgs),
    /// Verify a seal: the maker's signature, its chain, and the seal's validity.
    #[command(after_help = "Example:\n  seal seal verify agency.esl --trust root.pem")]
    Verify(SealVerifyArgs),
    /// Draw a standard round agency seal picture (SVG, or PNG when the output ends in .png).
    #[command(
        after_help = "Examples:\n  seal seal draw --name 'City of Example' --label 'Licensing Office' --out seal.svg\n  \
                      seal seal draw --name '北京市市场监督管理局' --label '行政审批专用章' --out seal.png\n  \
                      seal seal draw --name '北京市某某有限公司' --label '发票专用章' --shape oval --out seal.png\n  \
                      seal seal draw --name 'City of Example' --out seal.png --dpi 600\n\n\
                      Long names are narrowed along the arc, then set smaller; no character is left out. \
                      Drawing a PNG needs fonts: DejaVu for Latin, Vietnamese and Cyrillic, and a CJK \
                      font for Chinese (Debian: fonts-dejavu-core, fonts-noto-cjk or fonts-wqy-zenhei)."
    )]
    Draw(SealDrawArgs),
}

#[derive(Debug, Args)]
pub struct SealNewArgs {
    /// The seal maker's private key.
    #[arg(long)]
    pub maker_key: PathBuf,
    /// The seal maker's certificate.
    #[arg(long)]
    pub maker_cert: PathBuf,
    /// The holder's certificate (the agency that will stamp). A PEM bundle, as `seal ca
    /// issue` writes it, is the certificate followed by its chain: the seal carries the
    /// chain, and every stamp made with the seal carries it on, so verifiers need only the
    /// root.
    #[arg(long)]
    pub holder_cert: PathBuf,
    /// More of the holder's chain (issuing CA certificates, not the root). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub holder_chain: Vec<PathBuf>,
    /// The seal's name.
    #[arg(long)]
    pub name: String,
    /// The seal's unique id (ASCII).
    #[arg(long)]
    pub id: String,
    /// Organisation or personal seal.
    #[arg(long, value_enum, default_value_t = SealTypeArg::Organization)]
    pub r#type: SealTypeArg,
    /// The picture (PNG, JPEG or SVG). Without it, use --draw.
    #[arg(long, conflicts_with = "draw")]
    pub picture: Option<PathBuf>,
    /// Draw the seal's picture (PNG, 300 dpi) with the seal's name along the upper arc.
    #[arg(long)]
    pub draw: bool,
    /// With --draw: the seal's purpose, below the star (e.g. 行政审批专用章).
    #[arg(long, requires = "draw")]
    pub label: Option<String>,
    /// With --draw: round (the official seal, with a star) or oval (special-purpose seals).
    #[arg(long, value_enum, default_value_t = ShapeArg::Round, requires = "draw")]
    pub shape: ShapeArg,
    /// Printed width in millimetres.
    #[arg(long, default_value_t = 40)]
    pub width_mm: u32,
    /// Printed height in millimetres (default: the width; two thirds of it for an oval).
    #[arg(long)]
    pub height_mm: Option<u32>,
    /// Start of the seal's validity (default now): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.
    #[arg(long)]
    pub valid_from: Option<String>,
    /// Validity in days from its start.
    #[arg(long, default_value_t = 365)]
    pub days: u64,
    /// Where to write the seal (DER).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct SealShowArgs {
    /// The seal file (DER).
    pub seal: PathBuf,
    /// Write the seal's picture to this file.
    #[arg(long)]
    pub picture: Option<PathBuf>,
    /// Overwrite an existing picture file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SealVerifyArgs {
    /// The seal file (DER).
    pub seal: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Args)]
pub struct SealDrawArgs {
    /// The agency's name, along the upper arc.
    #[arg(long)]
    pub name: String,
    /// The seal's purpose, below the star (e.g. 行政审批专用章).
    #[arg(long)]
    pub label: Option<String>,
    /// Round (the official seal, with a star) or oval (special-purpose seals, 3:2).
    #[arg(long, value_enum, default_value_t = ShapeArg::Round)]
    pub shape: ShapeArg,
    /// Printed width (the diameter of a round seal) in millimetres.
    #[arg(long, default_value_t = 40)]
    pub size_mm: u32,
    /// Resolution of a PNG output.
    #[arg(long, default_value_t = 300)]
    pub dpi: u32,
    /// Where to write the picture (.svg or .png).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShapeArg {
    Round,
    Oval,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SealTypeArg {
    Organization,
    Personal,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The stamped file.
    pub file: PathBuf,
    /// The detached stamp: GB/T 38540 or CMS (default: FILE.ses or FILE.p7s if it exists).
    #[arg(long)]
    pub sig: Option<PathBuf>,
    /// For an enveloping CMS file (.p7m): write the signed content here once verified
    /// (whatever the verdict; the exit code says it).
    #[arg(long, value_name = "OUT")]
    pub extract_content: Option<PathBuf>,
    /// Overwrite an existing --extract-content output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's files.
    #[arg(long, default_value = "demo-out")]
    pub dir: PathBuf,
    /// Replace an existing demo directory's files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new private key (PKCS#8 PEM, mode 0600).
    #[command(after_help = "Examples:\n  seal key new --out agency.key\n  \
                            SEAL_PASSPHRASE=... seal key new --alg p256 --out agency.key --passphrase-env SEAL_PASSPHRASE")]
    New(KeyNewArgs),
    /// Print the public key (SPKI PEM) of a private key, token key or certificate.
    #[command(after_help = "Example:\n  seal key pub agency.key --out agency.pub")]
    Pub(KeyPubArgs),
    /// Print the certificate chain (PEM) a remote signing service keeps with a credential
    /// (`csc+https://...`): the holder certificate a seal names.
    #[command(after_help = "Example:\n  \
                            seal key cert 'csc+https://sign.example.vn/csc/v1?credential=agency-1&auth=bearer&token-source=env:CSC_TOKEN' --out agency.pem")]
    Cert(KeyPubArgs),
}

#[derive(Debug, Args)]
pub struct KeyNewArgs {
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = Alg::Ed25519)]
    pub alg: Alg,
    /// RSA key size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 3072)]
    pub bits: usize,
    /// Where to write the private key.
    #[arg(long, short, required_unless_present = "pkcs11")]
    pub out: Option<PathBuf>,
    /// Generate the key pair on a PKCS#11 token instead (a URI naming token and object).
    #[arg(long, conflicts_with = "out")]
    pub pkcs11: Option<String>,
    /// Also write the public key here.
    #[arg(long = "pub")]
    pub public: Option<PathBuf>,
    /// Key derivation for an encrypted key.
    #[arg(long, value_enum, default_value_t = KdfArg::Scrypt)]
    pub kdf: KdfArg,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct KeyPubArgs {
    /// A private key or certificate file, a PKCS#11 URI, or a remote credential's CSC URI.
    pub input: PathBuf,
    /// Write it here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The service's configuration (TOML: accounts, credentials, state directory, audit
    /// log, limits; see the README).
    #[arg(long, required_unless_present = "hash_secret")]
    pub config: Option<PathBuf>,
    /// Where to listen: a loopback address (port 0: any free port; the address is printed).
    /// Put a TLS reverse proxy in front for other machines.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// Worker threads (requests answered at once).
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// Print the Argon2id hash of a password or PIN (read from --passphrase-env,
    /// --passphrase-file or --passphrase-prompt) for the configuration, and exit.
    #[arg(long, conflicts_with = "config")]
    pub hash_secret: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

/// Where a passphrase comes from. Never the command line itself.
#[derive(Debug, Args, Clone, Default)]
pub struct PassArgs {
    /// Read the key passphrase from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with_all = ["passphrase_file", "passphrase_prompt"])]
    pub passphrase_env: Option<String>,
    /// Read the key passphrase from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_prompt")]
    pub passphrase_file: Option<PathBuf>,
    /// Ask for the key passphrase on the terminal.
    #[arg(long)]
    pub passphrase_prompt: bool,
}

#[derive(Debug, Args)]
pub struct SubjectArgs {
    /// Common name (CN).
    #[arg(long)]
    pub cn: String,
    /// Organisation name (O).
    #[arg(long)]
    pub org: String,
    /// Two-letter country code (C).
    #[arg(long)]
    pub country: String,
    /// Organisation identifier (2.5.4.97), e.g. a unified social credit code or VAT number.
    #[arg(long)]
    pub org_id: Option<String>,
    /// Organisational unit (OU).
    #[arg(long)]
    pub ou: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// List the slots, tokens and public keys of a PKCS#11 module.
    #[command(after_help = "Example:\n  seal token list --module /usr/lib/softhsm/libsofthsm2.so")]
    List(TokenListArgs),
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// The PKCS#11 module (.so).
    #[arg(long)]
    pub module: PathBuf,
}

#[derive(Debug, Args)]
pub struct CsrArgs {
    /// The requester's private key.
    #[arg(long)]
    pub key: PathBuf,
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Where to write the CSR (PEM).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create a root CA, or an intermediate CA with --parent.
    #[command(
        after_help = "Examples:\n  seal ca new --dir root --cn 'National Seal Root' --org 'Seal Authority' --country VN\n  \
                            seal ca new --dir province --parent root --cn 'Provincial CA' --org 'Seal Authority' --country VN --path-len 0"
    )]
    New(CaNewArgs),
    /// Issue a certificate from a CSR.
    #[command(
        after_help = "Example:\n  seal ca issue --dir province --csr agency.csr --profile seal --days 730 --out agency.pem"
    )]
    Issue(CaIssueArgs),
    /// Revoke a certificate by serial number.
    #[command(
        after_help = "Example:\n  seal ca revoke --dir province --serial 4f1c... --reason keyCompromise"
    )]
    Revoke(CaRevokeArgs),
    /// Publish a new CRL with every revoked certificate.
    #[command(after_help = "Example:\n  seal ca crl --dir province --days 7 --out province.crl")]
    Crl(CaCrlArgs),
    /// Answer for one certificate with a signed OCSP response (RFC 6960), from the CA's records.
    #[command(
        after_help = "Example:\n  seal ca ocsp --dir province --serial 4f1c... --days 1 --out agency.ocsp\n  \
                      seal verify contract.stamped.pdf --trust root.pem --ocsp agency.ocsp"
    )]
    Ocsp(CaOcspArgs),
}

#[derive(Debug, Args)]
pub struct CaOcspArgs {
    /// The CA's state directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The certificate's serial number (hex).
    #[arg(long)]
    pub serial: String,
    /// Days until nextUpdate.
    #[arg(long, default_value_t = 1)]
    pub days: u64,
    /// The CA's key elsewhere than DIR/ca.key, e.g. a PKCS#11 URI.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where to write the response (DER).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct CaNewArgs {
    /// The CA's state directory (created).
    #[arg(long)]
    pub dir: PathBuf,
    /// The parent CA's directory, to create an intermediate CA.
    #[arg(long)]
    pub parent: Option<PathBuf>,
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = Alg::Ed25519)]
    pub alg: Alg,
    /// Validity in days.
    #[arg(long, default_value_t = 3650)]
    pub days: u64,
    /// pathLenConstraint: how many intermediate CAs may follow this one.
    #[arg(long)]
    pub path_len: Option<u8>,
    /// Key derivation for an encrypted CA key.
    #[arg(long, value_enum, default_value_t = KdfArg::Scrypt)]
    pub kdf: KdfArg,
    /// Use an existing key (a PKCS#11 URI, or a key file) for a root CA instead of generating one.
    #[arg(long, conflicts_with = "parent")]
    pub key: Option<PathBuf>,
    /// Encrypt the new CA key with a passphrase from here.
    #[command(flatten)]
    pub pass: PassArgs,
    /// Read the parent CA key's passphrase from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub parent_passphrase_env: Option<String>,
    /// Read the parent CA key's passphrase from this file.
    #[arg(long, value_name = "FILE")]
    pub parent_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CaIssueArgs {
    /// The CA's state directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The CSR (PEM or DER).
    #[arg(long)]
    pub csr: PathBuf,
    /// Certificate profile.
    #[arg(long, value_enum)]
    pub profile: ProfileArg,
    /// pathLenConstraint, for the ca profile.
    #[arg(long)]
    pub path_len: Option<u8>,
    /// Validity in days, from now.
    #[arg(long, default_value_t = 365)]
    pub days: u64,
    /// The CA's key elsewhere than DIR/ca.key, e.g. a PKCS#11 URI.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where to write the certificate (PEM), followed by the issuing CA's chain up to (not
    /// including) the root, the way step-ca and certbot's fullchain.pem do: tools that read
    /// one certificate read the first, and seals and stamps made from the file carry the
    /// chain.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Write only the certificate, without the chain.
    #[arg(long)]
    pub cert_only: bool,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct CaRevokeArgs {
    /// The CA's state directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// The serial number in hex (as `seal cert show` prints it).
    #[arg(long)]
    pub serial: String,
    /// Reason (RFC 5280 CRLReason), e.g. keyCompromise, superseded, cessationOfOperation.
    #[arg(long, default_value = "unspecified")]
    pub reason: String,
    /// Revocation time (default now): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct CaCrlArgs {
    /// The CA's state directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// Days until nextUpdate.
    #[arg(long, default_value_t = 7)]
    pub days: u64,
    /// The CA's key elsewhere than DIR/ca.key, e.g. a PKCS#11 URI.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where to write the CRL (PEM).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Show the certificates of a file.
    #[command(after_help = "Example:\n  seal cert show agency.pem --json")]
    Show(CertShowArgs),
    /// Validate a certificate's chain to trust anchors, offline.
    #[command(
        after_help = "Example:\n  seal cert verify agency.pem --trust root.pem --untrusted province.pem \\\n    --crl province.crl --at 2026-12-01 --purpose seal"
    )]
    Verify(Box<CertVerifyArgs>),
}

#[derive(Debug, Args)]
pub struct CertShowArgs {
    /// A certificate file (PEM bundle or DER).
    pub input: PathBuf,
}

#[derive(Debug, Args)]
pub struct CertVerifyArgs {
    /// The certificate to validate (the first one in the file; the rest count as untrusted).
    pub cert: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Which certificates need revocation status (default: leaf when --crl is given).
    #[arg(long, value_enum)]
    pub crl_check: Option<CrlCheck>,
    /// What the certificate is to be used for.
    #[arg(long, value_enum, default_value_t = PurposeArg::Any)]
    pub purpose: PurposeArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Alg {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// ECDSA over P-256 with SHA-256.
    P256,
    /// ECDSA over P-384 with SHA-384.
    P384,
    /// RSA, signing with PKCS#1 v1.5 and SHA-256 (3072 bits unless --bits says otherwise).
    Rsa,
    /// RSA, signing with RSASSA-PSS and SHA-256.
    RsaPss,
    /// SM2 with SM3 (GB/T 32918), the default distinguishing ID: Chinese seal systems.
    Sm2,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KdfArg {
    Scrypt,
    Pbkdf2,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    Ca,
    LicenceIssuer,
    Seal,
    /// A seal-making authority (extendedKeyUsage seal maker).
    SealMaker,
    /// A trust-list signer (extendedKeyUsage trust-list signer).
    TrustListSigner,
    /// A time-stamping authority (extendedKeyUsage id-kp-timeStamping, critical).
    Tsa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PurposeArg {
    Any,
    Ca,
    LicenceIssuer,
    Seal,
    /// Signing RFC 3161 timestamps.
    Tsa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CrlCheck {
    All,
    Leaf,
    None,
}
