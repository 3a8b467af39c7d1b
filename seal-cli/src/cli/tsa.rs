//! The arguments of `seal tsa`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{PassArgs, TrustArgs};

#[derive(Debug, Subcommand)]
pub enum TsaCommand {
    /// Set up a time-stamping authority (RFC 3161) in a directory: its certificate (issued
    /// with `seal ca issue --profile tsa`), its key, its policy and accuracy.
    #[command(
        after_help = "Example:\n  seal ca issue --dir root --csr tsa.csr --profile tsa --out tsa.pem\n  \
                      seal tsa new --dir tsa --cert tsa.pem --key tsa.key"
    )]
    New(TsaNewArgs),
    /// Answer an RFC 3161 request file (from `openssl ts -query` or `seal tsa query`) with
    /// a reply file.
    #[command(after_help = "Example:\n  seal tsa respond request.tsq --dir tsa --out reply.tsr")]
    Respond(TsaRespondArgs),
    /// Serve RFC 3161 over HTTP: POST application/timestamp-query, get
    /// application/timestamp-reply.
    #[command(after_help = "Example:\n  seal tsa serve --dir tsa --listen 127.0.0.1:3161")]
    Serve(TsaServeArgs),
    /// Timestamp a file: asks a TSA (over HTTP, or in-process) for a token over its hash and
    /// writes the reply.
    #[command(
        after_help = "Examples:\n  seal tsa query contract.pdf --url http://127.0.0.1:3161/\n  \
                      seal tsa query contract.pdf --tsa-dir tsa --out contract.tsr"
    )]
    Query(TsaQueryArgs),
    /// Verify a timestamp reply or token, and that it timestamps FILE.
    #[command(
        after_help = "Example:\n  seal tsa verify contract.pdf --reply contract.tsr --trust root.pem"
    )]
    Verify(TsaVerifyArgs),
}

/// Where the TSA's key comes from, when it is not DIR/tsa.key.
#[derive(Debug, Args)]
pub struct TsaKeyArgs {
    /// The TSA's key: a key file or a PKCS#11 URI (default: DIR/tsa.key).
    #[arg(long, value_name = "FILE|URI")]
    pub tsa_key: Option<PathBuf>,
    #[command(flatten)]
    pub pass: PassArgs,
}

#[derive(Debug, Args)]
pub struct TsaNewArgs {
    /// The directory to create.
    #[arg(long)]
    pub dir: PathBuf,
    /// The TSA's certificate (profile tsa), followed by its CA chain.
    #[arg(long)]
    pub cert: PathBuf,
    /// The TSA's key file, copied into the directory as it is; leave out for a key on a
    /// token (give it to the other commands with --tsa-key).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// The TSA's policy OID. Default: ETSI EN 319 421's best practices policy for
    /// time-stamps.
    #[arg(long, default_value = "0.4.0.2023.1.1")]
    pub policy: String,
    /// How far the TSA's clock may be off, in seconds (0: not said).
    #[arg(long, default_value_t = 1)]
    pub accuracy: u32,
}

#[derive(Debug, Args)]
pub struct TsaRespondArgs {
    /// The request (DER).
    pub request: PathBuf,
    /// The TSA's directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// Where the reply goes.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Overwrite an existing reply.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub key: TsaKeyArgs,
}

#[derive(Debug, Args)]
pub struct TsaServeArgs {
    /// The TSA's directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// Where to listen (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:3161")]
    pub listen: String,
    /// Worker threads (requests answered at once).
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    #[command(flatten)]
    pub key: TsaKeyArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("tsa").required(true).args(["url", "tsa_dir"])))]
pub struct TsaQueryArgs {
    /// The file to timestamp.
    pub input: PathBuf,
    /// The TSA's URL (http://...).
    #[arg(long)]
    pub url: Option<String>,
    /// An in-process TSA: its directory.
    #[arg(long)]
    pub tsa_dir: Option<PathBuf>,
    /// Where the reply goes (default: FILE.tsr).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Overwrite an existing reply.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub key: TsaKeyArgs,
}

#[derive(Debug, Args)]
pub struct TsaVerifyArgs {
    /// The file the timestamp is for.
    pub input: PathBuf,
    /// The reply (TimeStampResp) or the token alone (a CMS ContentInfo), DER.
    #[arg(long)]
    pub reply: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
}
