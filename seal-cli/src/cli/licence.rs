//! The arguments of `seal licence` and `seal trust-list`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{PassArgs, TrustArgs};

#[derive(Debug, Subcommand)]
pub enum LicenceCommand {
    /// Issue a licence: checks the data against the type's schema, signs it (COSE_Sign1),
    /// and writes NAME.txt (LC1: text), NAME.png and NAME.svg (QR code), NAME.json (view).
    #[command(
        after_help = "Example:\n  seal licence issue --type business-licence --data data.json \\\n    \
                            --key issuer.key --cert issuer.pem --out licences/BL2026000123\n  \
                      seal licence issue --type business-licence --batch registry.csv \\\n    \
                            --key issuer.key --cert issuer.pem --out-dir licences"
    )]
    Issue(LicenceIssueArgs),
    /// Verify a licence from its text or a photo/screenshot of its QR code.
    #[command(
        after_help = "Examples:\n  seal licence verify licence.txt --issuers issuer.pem --trust root.pem\n  \
                            seal licence verify photo.jpg --issuers issuers.pem --trust root.pem --json"
    )]
    Verify(LicenceVerifyArgs),
    /// List the built-in licence types and their attributes.
    #[command(after_help = "Example:\n  seal licence types --json")]
    Types,
    /// Publish a signed status list: which licences (by status index) are revoked.
    #[command(
        after_help = "Example:\n  seal licence status --key issuer.key --cert issuer.pem --size 100000 \\\n    \
                            --revoked 17,4711 --sequence 12 --days 1 --out issuer.status"
    )]
    Status(LicenceStatusArgs),
}

#[derive(Debug, Args)]
pub struct LicenceStatusArgs {
    /// The issuer's private key.
    #[arg(long)]
    pub key: PathBuf,
    /// The issuer's certificate.
    #[arg(long)]
    pub cert: PathBuf,
    /// Number of entries.
    #[arg(long)]
    pub size: u64,
    /// Revoked status indices, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub revoked: Vec<u64>,
    /// The list's sequence number (increase it with every list).
    #[arg(long)]
    pub sequence: u64,
    /// Days until the next update is due.
    #[arg(long, default_value_t = 1)]
    pub days: u64,
    /// Where to write the list.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Subcommand)]
pub enum TrustListCommand {
    /// Build an unsigned trust list (JSON) from issuer certificates.
    #[command(
        after_help = "Example:\n  seal trust-list build --name 'VN licence issuers' --sequence 3 --days 7 \\\n    \
                            --issuer hanoi.pem:business-licence,qualification:VN-HN --issuer saigon.pem:business-licence --out list.json"
    )]
    Build(TrustListBuildArgs),
    /// Sign a trust list with the root authority's key.
    #[command(
        after_help = "Example:\n  seal trust-list sign list.json --key root.key --cert root.pem --out vn.tl"
    )]
    Sign(TrustListSignArgs),
    /// Show a trust list's content (without checking it).
    #[command(after_help = "Example:\n  seal trust-list show vn.tl --json")]
    Show(TrustListShowArgs),
    /// Verify a trust list: signature, signer chain, freshness, replay.
    #[command(
        after_help = "Example:\n  seal trust-list verify vn.tl --trust root.pem --min-sequence 3"
    )]
    Verify(TrustListVerifyArgs),
}

#[derive(Debug, Args)]
pub struct TrustListBuildArgs {
    /// The list's name.
    #[arg(long)]
    pub name: String,
    /// Its sequence number.
    #[arg(long)]
    pub sequence: u64,
    /// Days until the next update is due.
    #[arg(long, default_value_t = 7)]
    pub days: u64,
    /// An issuer: CERT:TYPE[,TYPE...][:REGION[,REGION...]].
    #[arg(long = "issuer", required = true)]
    pub issuers: Vec<String>,
    /// Where to write the JSON.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TrustListSignArgs {
    /// The unsigned list (JSON).
    pub input: PathBuf,
    /// The root authority's key.
    #[arg(long)]
    pub key: PathBuf,
    /// The root authority's certificate.
    #[arg(long)]
    pub cert: PathBuf,
    /// Where to write the signed list.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct TrustListShowArgs {
    /// The signed list.
    pub input: PathBuf,
}

#[derive(Debug, Args)]
pub struct TrustListVerifyArgs {
    /// The signed list.
    pub input: PathBuf,
    /// Refuse lists older than this sequence number (one already seen).
    #[arg(long, default_value_t = 0)]
    pub min_sequence: u64,
    #[command(flatten)]
    pub replay: ReplayArgs,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Where the verifier remembers the lists it accepted.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The file keeping the highest sequence accepted per trust list and status list; an
    /// older list is refused as a replay. Default: $SEAL_STATE_DIR/lists.json, else
    /// $XDG_STATE_HOME/seal/lists.json, else ~/.local/state/seal/lists.json.
    #[arg(long, value_name = "FILE", conflicts_with = "no_list_state")]
    pub list_state: Option<PathBuf>,
    /// Neither read nor update that file (to validate at a past --at with the lists of
    /// that time).
    #[arg(long)]
    pub no_list_state: bool,
}

impl ReplayArgs {
    /// The state file to use, if any.
    pub fn path(&self) -> Option<PathBuf> {
        if self.no_list_state {
            return None;
        }
        self.list_state.clone().or_else(seal_core::licence::replay::default_state_file)
    }
}

#[derive(Debug, Args)]
pub struct LicenceIssueArgs {
    /// The licence type (see `seal licence types`).
    #[arg(long = "type")]
    pub licence_type: String,
    /// A schema file (JSON) instead of a built-in type.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// The licence data (JSON: number, holder, valid_until, attributes...).
    #[arg(long, required_unless_present = "batch", conflicts_with = "batch")]
    pub data: Option<PathBuf>,
    /// Many licences: a JSON-lines or CSV file, issued in parallel into --out-dir.
    #[arg(long, requires = "out_dir")]
    pub batch: Option<PathBuf>,
    /// Where batch licences go (one NUMBER.txt/.png/.svg/.json each).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// The issuer's private key.
    #[arg(long)]
    pub key: PathBuf,
    /// The issuer's certificate (profile licence-issuer).
    #[arg(long)]
    pub cert: PathBuf,
    /// Output path without extension (default: the licence number, in the current directory).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Overwrite existing outputs.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct LicenceVerifyArgs {
    /// The licence: a text file (LC1:..., or an EU digital COVID certificate HC1:...), a
    /// PNG/JPEG with its QR code, or - for stdin.
    pub input: PathBuf,
    /// Certificates of issuers whose licences are accepted (found by key id); for a DCC,
    /// its document signer certificates (DSCs).
    #[arg(long, required_unless_present = "trust_list")]
    pub issuers: Vec<PathBuf>,
    /// Signed trust lists naming the accepted issuers and what each may issue.
    #[arg(long)]
    pub trust_list: Vec<PathBuf>,
    /// Signed status lists of the issuers (revocation).
    #[arg(long)]
    pub status_list: Vec<PathBuf>,
    /// Refuse trust lists older than this sequence number.
    #[arg(long, default_value_t = 0)]
    pub min_sequence: u64,
    #[command(flatten)]
    pub replay: ReplayArgs,
    #[command(flatten)]
    pub trust: TrustArgs,
}
