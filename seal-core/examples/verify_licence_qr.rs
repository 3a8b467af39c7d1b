//! Verifies the licence in a QR code picture, offline, as a border post's app would.
//!
//! ```sh
//! seal demo --dir demo
//! cargo run -p seal-core --example verify_licence_qr -- \
//!     demo/licence.png demo/root/ca.pem demo/province/ca.pem demo/licence-issuer.pem
//! ```
//!
//! Prints the licence and the report; exits 0 if the licence is valid, 1 if not, 2 if the
//! picture or the certificates cannot be read.

use std::process::ExitCode;

use seal_core::licence;
use seal_core::verify::Trust;

fn run(args: &[String]) -> seal_core::Result<bool> {
    let [picture, root, certs @ ..] = args else {
        return Err(seal_core::Error::InvalidInput(
            "usage: verify_licence_qr PICTURE ROOT.pem [CERT.pem...] (the licence issuer's \
             certificate and the CAs between it and the root)"
                .into(),
        ));
    };
    let mut trust = Trust::from_anchors(root)?;
    for c in certs {
        trust.intermediates.extend(seal_core::pki::load_certificates(c.as_ref())?);
    }
    let image = seal_core::io::read(picture.as_ref())?;
    let text = licence::qr::read(&image).map_err(|e| e.in_file(picture))?;
    let (lic, report) = licence::verify_text(&text, &trust)?;
    println!("licence {} ({}) for {}", lic.number, lic.licence_type, lic.holder.name);
    for c in &report.checks {
        println!("  {:<16} {} {}", c.check, c.indication, c.detail);
    }
    match report.sub_indication {
        Some(sub) => println!("{} ({sub})", report.indication),
        None => println!("{}", report.indication),
    }
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
