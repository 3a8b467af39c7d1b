//! `licence-only TEXT_FILE ROOT.pem [CERT.pem...]`: verifies a licence text offline and
//! prints its number, holder and verdict; exits 0 if valid, 1 if not, 2 on bad input.

use std::process::ExitCode;

use seal_core::verify::Trust;

fn run(args: &[String]) -> seal_core::Result<bool> {
    let [text, root, certs @ ..] = args else {
        return Err(seal_core::Error::InvalidInput(
            "usage: licence-only TEXT_FILE ROOT.pem [CERT.pem...]".into(),
        ));
    };
    let mut trust = Trust::from_anchors(root)?;
    for c in certs {
        trust.intermediates.extend(seal_core::pki::load_certificates(c.as_ref())?);
    }
    let bytes = seal_core::io::read(text.as_ref())?;
    let text = String::from_utf8_lossy(&bytes);
    let (lic, report) = seal_core::licence::verify_text(&text, &trust)?;
    println!("{} {} {}", lic.number, lic.holder.name, report.indication);
    Ok(report.is_valid())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
