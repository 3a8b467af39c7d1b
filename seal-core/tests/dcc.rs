//! The public EU DCC test data (eu-digital-green-certificates/dgc-testdata, Apache-2.0,
//! vectors/dcc/SOURCES.md): every case's expected decode, signature and expiry results,
//! through `licence::dcc`.
#![cfg(all(feature = "licence", feature = "qr-read"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use seal_core::licence::dcc;
use seal_core::time::UnixTime;
use seal_core::verify::Indication;

#[test]
fn dgc_testdata_expectations_are_met() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/dcc/cases.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let (mut verified, mut refused, mut expiry_checked, mut wrong) = (0, 0, 0, Vec::new());
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = case["file"].as_str().unwrap().to_string();
        let exp = &case["expected"];
        let Some(cert) =
            case["certificate"].as_str().and_then(|c| dcc::certificate_from_text(c).ok())
        else {
            continue;
        };
        let at = match case["clock"].as_str() {
            Some(c) => clock(c).unwrap_or_else(|| panic!("{name}: clock {c:?}")),
            None => UnixTime::now(),
        };
        let prefix = case["prefix"].as_str().unwrap_or_default();
        let result = dcc::verify(prefix, std::slice::from_ref(&cert), at);
        let decodes = ["unprefix", "b45decode", "compression", "decode"]
            .iter()
            .all(|k| exp[*k].as_bool() != Some(false));
        let all_ok = result
            .as_ref()
            .is_ok_and(|(d, r)| d.is_some() && !r.checks.iter().any(|c| c.check == "format"));
        let sig_ok = result.as_ref().is_ok_and(|(_, r)| {
            r.checks
                .iter()
                .any(|c| c.check == "signature" && c.indication == Indication::TotalPassed)
        });
        if !decodes {
            if all_ok {
                wrong.push(format!("{name}: expected not to decode, but verified"));
            } else {
                refused += 1;
            }
            continue;
        }
        match exp["verify"].as_bool() {
            // An ES256 header on a P-384 key (Spain's 2021 test data): refused, as the
            // algorithm must fit the key (RFC 9053 §2.1: ES256 is P-256).
            Some(true) if !sig_ok && name.starts_with("ES/2DCode/raw/40") => refused += 1,
            Some(true) if !sig_ok => wrong.push(format!(
                "{name}: expected to verify: {}",
                match &result {
                    Err(e) => e.to_string(),
                    Ok((_, r)) => r
                        .checks
                        .iter()
                        .map(|c| format!("{}: {}", c.check, c.detail))
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            )),
            Some(false) if sig_ok => wrong.push(format!("{name}: expected not to verify")),
            Some(true) => verified += 1,
            Some(false) => refused += 1,
            None => {}
        }
        if let (Some(expiry), Ok((Some(_), r))) = (exp["expirationcheck"].as_bool(), &result) {
            let ok = r
                .checks
                .iter()
                .any(|c| c.check == "validity" && c.indication == Indication::TotalPassed);
            if ok != expiry {
                wrong.push(format!("{name}: expiry check expected {expiry}, got {ok}"));
            } else {
                expiry_checked += 1;
            }
        }
    }
    println!(
        "DCC test data: {verified} verified, {refused} refused as expected, {expiry_checked} expiry checks met"
    );
    assert!(wrong.is_empty(), "{} of the expectations not met:\n{}", wrong.len(), wrong.join("\n"));
    assert!(verified > 400, "{verified}");
}

/// A test-data validation clock: RFC 3339 with `Z` or an offset, fractions dropped.
fn clock(text: &str) -> Option<UnixTime> {
    let base: UnixTime = format!("{}Z", text.get(..19)?).parse().ok()?;
    let rest = &text[19..];
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    match rest.as_bytes() {
        [] | [b'Z'] => Some(base),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let d = |a: &u8, b: &u8| u64::from(a - b'0') * 10 + u64::from(b - b'0');
            let off = d(h1, h2) * 3600 + d(m1, m2) * 60;
            Some(if *sign == b'+' {
                UnixTime::from_secs(base.as_secs() - off)
            } else {
                base.plus_secs(off)
            })
        }
        _ => None,
    }
}

/// The QR pictures of eight dgc-testdata cases (vectors/dcc/qr/, paths as in that
/// repository), made by the member states' own tools: codes cropped without a quiet zone
/// (CY), on a transparent background (SG, SI). Each reads to its case's `HC1:` text.
#[test]
fn member_state_qr_pictures_read_to_their_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/dcc");
    let cases = std::fs::read_to_string(root.join("cases.jsonl")).unwrap();
    let prefix = |file: &str| -> String {
        cases
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|c| c["file"] == file)
            .and_then(|c| c["prefix"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no case {file}"))
    };
    let mut read = 0;
    for country in std::fs::read_dir(root.join("qr")).unwrap() {
        let country = country.unwrap().path();
        for png in std::fs::read_dir(country.join("png")).unwrap() {
            let png = png.unwrap().path();
            let name = png.file_name().unwrap().to_string_lossy();
            let cc = country.file_name().unwrap().to_string_lossy();
            let case = format!("{cc}/2DCode/raw/{}", name.replace(".png", ".json"));
            let text = seal_core::licence::qr::read(&std::fs::read(&png).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", png.display()));
            assert_eq!(text, prefix(&case), "{}", png.display());
            read += 1;
        }
    }
    assert_eq!(read, 8);
}
