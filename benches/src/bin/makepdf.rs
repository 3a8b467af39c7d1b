//! Writes a simple PDF of a given size for the PDF benchmarks.
//!
//! Usage: `makepdf OUT.pdf SIZE_MB [PAGES]`

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(mb)) = (args.get(1), args.get(2).and_then(|s| s.parse::<usize>().ok()))
    else {
        eprintln!("usage: makepdf OUT.pdf SIZE_MB [PAGES]");
        std::process::exit(2);
    };
    let pages: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let text: Vec<Vec<String>> =
        (1..=pages).map(|i| vec![format!("Benchmark document, page {i} of {pages}")]).collect();
    let doc = seal_core::pdf::sample::text_document(&text, mb << 20);
    if let Err(e) = std::fs::write(out, doc) {
        eprintln!("makepdf: {out}: {e}");
        std::process::exit(2);
    }
}
