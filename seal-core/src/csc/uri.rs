//! `csc+https://host[:port][/path]?credential=ID&...`: a credential of a CSC service.

use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::secret::PassphraseSource;
use crate::uri::{pct_text, secret_source};

/// How the client logs in to the service.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No login (a service that authorises by PIN alone, or a test service).
    #[default]
    None,
    /// A bearer token the caller already has (`auth=bearer&token-source=...`).
    Bearer(PassphraseSource),
    /// HTTP Basic to `auth/login`, which answers with a bearer token (`auth=basic&user=NAME
    /// &password-source=...`).
    Basic {
        /// The account name.
        user: String,
        /// Where its password comes from.
        password: PassphraseSource,
    },
    /// OAuth 2.0 client credentials (RFC 6749 §4.4) at `token-url`, by default the
    /// service's `oauth2/token` (`auth=oauth2&client-id=ID&secret-source=...`).
    OAuth2 {
        /// The client id.
        client_id: String,
        /// Where the client secret comes from.
        secret: PassphraseSource,
        /// The token endpoint.
        token_url: Option<String>,
    },
}

/// A credential of a CSC service, as a `csc+https://` URI names it.
///
/// Query attributes: `credential` (the credential ID; without it the account's only
/// credential), `auth` (`none`, `bearer`, `basic`, `oauth2`), `token-source`, `user`,
/// `password-source`, `client-id`, `secret-source`, `token-url`, `pin-source`,
/// `otp-source` (each source `env:VAR`, `file:PATH`, or `prompt`: asked through the
/// program's prompt, see [`CscUri::prompt_with`]), `ca` (a PEM file of the CA
/// certificates to trust instead of the system's). A `*-value` attribute is refused: it
/// would put a secret on the command line.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CscUri {
    /// The service's base URL, ending in `/csc/v1` (or `/csc/v2`, when the URI says so).
    pub service: String,
    /// The credential ID.
    pub credential: Option<String>,
    /// How to log in.
    pub auth: Auth,
    /// CA certificates to trust for TLS instead of the system's.
    pub ca: Option<PathBuf>,
    /// Where the credential's PIN comes from, if the URI says.
    pub pin_source: Option<PassphraseSource>,
    /// Where the OTP comes from, if the URI says.
    pub otp_source: Option<PassphraseSource>,
}

const WHAT: &str = "CSC URI";

impl CscUri {
    /// Gives every secret the URI names as `prompt` to `prompt` (for the `seal` command, a
    /// terminal prompt without echo). Until then such a secret is unavailable, naming why.
    pub fn prompt_with(&mut self, prompt: &PassphraseSource) {
        let swap = |s: &mut PassphraseSource| {
            if is_prompt(s) {
                *s = prompt.clone();
            }
        };
        match &mut self.auth {
            Auth::Bearer(s) => swap(s),
            Auth::Basic { password, .. } => swap(password),
            Auth::OAuth2 { secret, .. } => swap(secret),
            Auth::None => {}
        }
        for s in [&mut self.pin_source, &mut self.otp_source].into_iter().flatten() {
            swap(s);
        }
    }

    /// True if `s` is meant as a CSC URI (`csc+https:` or `csc+http:`).
    pub fn is_csc(s: &str) -> bool {
        s.starts_with("csc+https://") || s.starts_with("csc+http://")
    }
}

impl FromStr for CscUri {
    type Err = Error;

    fn from_str(s: &str) -> Result<CscUri> {
        let bad = |why: String| Error::InvalidInput(format!("{WHAT} {s:?}: {why}"));
        let url = s
            .strip_prefix("csc+")
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .ok_or_else(|| bad("expected csc+https://host/...".into()))?;
        let (url, query) = url.split_once('?').unwrap_or((url, ""));
        let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() {
            return Err(bad("no host".into()));
        }
        if authority.contains('@') {
            return Err(bad(
                "a user or password in the URL would put it on the command line: use \
                 auth=basic&user=NAME&password-source=env:VAR"
                    .into(),
            ));
        }
        if scheme == "http" && !is_loopback(authority) {
            return Err(bad(format!(
                "plain HTTP to {authority} would send the PIN and the account's secrets in \
                 the clear: use https, or http to a loopback address (a local proxy)"
            )));
        }
        let path = path.trim_end_matches('/');
        let path = if path.ends_with("/csc/v1") || path.ends_with("/csc/v2") {
            path.to_owned()
        } else {
            format!("{path}/csc/v1")
        };
        let mut uri = CscUri {
            service: format!("{scheme}://{authority}{path}"),
            credential: None,
            auth: Auth::None,
            ca: None,
            pin_source: None,
            otp_source: None,
        };
        let (mut auth, mut user, mut client_id, mut token_url) = (None, None, None, None);
        let (mut token, mut password, mut secret) = (None, None, None);
        for q in query.split('&').filter(|q| !q.is_empty()) {
            let (k, v) = q.split_once('=').unwrap_or((q, ""));
            let v = pct_text(v, WHAT)?;
            match k {
                "credential" => uri.credential = Some(v),
                "auth" => auth = Some(v),
                "user" => user = Some(v),
                "client-id" => client_id = Some(v),
                "token-url" => token_url = Some(v),
                "ca" => uri.ca = Some(PathBuf::from(v)),
                "token-source" => token = Some(source(&v)),
                "password-source" => password = Some(source(&v)),
                "secret-source" => secret = Some(source(&v)),
                "pin-source" => uri.pin_source = Some(source(&v)),
                "otp-source" => uri.otp_source = Some(source(&v)),
                k if k.ends_with("-value") => {
                    return Err(bad(format!(
                        "{k} would put a secret on the command line: use {}=env:VAR or a file",
                        k.replace("-value", "-source")
                    )));
                }
                other => return Err(bad(format!("unknown attribute {other:?}"))),
            }
        }
        let needs =
            |what: &str| bad(format!("auth={} needs {what}", auth.as_deref().unwrap_or("")));
        uri.auth = match auth.as_deref() {
            None if token.is_some() => Auth::Bearer(token.unwrap_or_default()),
            None | Some("none") => Auth::None,
            Some("bearer") => Auth::Bearer(token.ok_or_else(|| needs("token-source"))?),
            Some("basic") => Auth::Basic {
                user: user.ok_or_else(|| needs("user"))?,
                password: password.ok_or_else(|| needs("password-source"))?,
            },
            Some("oauth2") => Auth::OAuth2 {
                client_id: client_id.ok_or_else(|| needs("client-id"))?,
                secret: secret.ok_or_else(|| needs("secret-source"))?,
                token_url,
            },
            Some(other) => {
                return Err(bad(format!("auth={other}: expected none, bearer, basic or oauth2")));
            }
        };
        Ok(uri)
    }
}

/// `prompt`: a source that says, until [`CscUri::prompt_with`] replaces it, that no prompt
/// was given.
fn source(v: &str) -> PassphraseSource {
    if v != "prompt" {
        return secret_source(v);
    }
    PassphraseSource::callback(|r| {
        Err(Error::PassphraseUnavailable(format!(
            "{}: the CSC URI says prompt, and this program has no prompt to ask with",
            r.what
        )))
    })
}

fn is_prompt(s: &PassphraseSource) -> bool {
    matches!(s, PassphraseSource::Callback(_))
}

/// `127.x.x.x`, `[::1]` or `localhost`, with or without a port.
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_the_service_the_credential_and_where_secrets_are() {
        let u: CscUri = "csc+https://sign.example.vn/api?credential=agency%2F1&auth=basic\
                         &user=clerk&password-source=env:CSC_PASSWORD&pin-source=file:/run/pin"
            .parse()
            .unwrap();
        assert_eq!(u.service, "https://sign.example.vn/api/csc/v1");
        assert_eq!(u.credential.as_deref(), Some("agency/1"));
        assert!(matches!(&u.auth, Auth::Basic { user, password: PassphraseSource::Env(v) }
            if user == "clerk" && v == "CSC_PASSWORD"));
        assert!(matches!(u.pin_source, Some(PassphraseSource::File(_))));
        let u: CscUri = "csc+http://127.0.0.1:8080/csc/v1/?token-source=env:T".parse().unwrap();
        assert_eq!(u.service, "http://127.0.0.1:8080/csc/v1");
        assert!(matches!(u.auth, Auth::Bearer(PassphraseSource::Env(_))));
        assert!("csc+http://[::1]:9/".parse::<CscUri>().is_ok());
        assert!("csc+http://localhost/".parse::<CscUri>().is_ok());
    }

    #[test]
    fn secrets_in_the_uri_and_clear_text_to_other_hosts_are_refused() {
        for (uri, why) in [
            ("csc+https://h/?pin-value=1234", "pin-value would put a secret"),
            ("csc+https://clerk:pw@h/", "on the command line"),
            ("csc+http://sign.example.vn/", "in the clear"),
            ("csc+http://127.0.0.1.example.vn/", "in the clear"),
            ("csc+https://h/?auth=basic&user=u", "needs password-source"),
            ("csc+https://h/?auth=kerberos", "expected none, bearer"),
            ("csc+https://h/?colour=red", "unknown attribute"),
            ("csc+ftp://h/", "expected csc+https"),
            ("csc+https:///csc/v1", "no host"),
        ] {
            let err = uri.parse::<CscUri>().unwrap_err().to_string();
            assert!(err.contains(why), "{uri}: {err}");
        }
    }
}
