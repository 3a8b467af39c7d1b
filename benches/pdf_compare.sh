#!/usr/bin/env bash
# PDF stamping: seal against pyHanko on the same files, in one run on this machine.
#   - N small PDFs (the 3-page Ghostscript document of vectors/pdf): documents per second,
#     seal with all cores and with one thread, pyHanko in one process (its signer loaded
#     once, as a long-running service would).
#   - One large PDF (SIZE_MB of image data): seconds and peak memory (RSS), next to the time
#     `openssl dgst -sha256` needs just to hash the file and `cp` + `sync` to copy it durably
#     (stamping does both: it hashes the original while copying it to the stamped file).
# Both sign PAdES B-B with a visible signature field, with the same P-256 key and certificate.
# Needs GNU time (/usr/bin/time) and .venv with pyhanko (bash scripts/test installs it).
# Usage: bash benches/pdf_compare.sh [N] [SIZE_MB]   (default 500 and 100)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
size=${2:-100}
root=$PWD
python=$root/.venv/bin/python
cargo build --release -q -p seal-cli -p seal-benches --bins
seal=$root/target/release/seal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$seal" demo --dir pki >/dev/null
mkdir small
for i in $(seq -w 1 "$n"); do cp "$root/vectors/pdf/gs-3pages.pdf" "small/doc$i.pdf"; done
"$root/target/release/makepdf" big.pdf "$size" 20
cat > pyhanko_sign.py <<'PY'
import sys, time
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, chain, outdir = sys.argv[1:5]
files = sys.argv[5:]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
meta = signers.PdfSignatureMetadata(field_name="Seal1", subfilter=fields.SigSeedSubFilter.PADES)
spec = fields.SigFieldSpec("Seal1", box=(446, 36, 559, 149), on_page=-1)
start = time.perf_counter()
for f in files:
    with open(f, "rb") as inf, open(f"{outdir}/{f.split('/')[-1]}", "wb") as outf:
        signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, output=outf, new_field_spec=spec)
print(time.perf_counter() - start)
PY
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
now() { date +%s.%N; }

echo "== $n small PDFs ($(stat -c %s small/doc1.pdf 2>/dev/null || stat -c %s "small/doc$(printf "%0${#n}d" 1).pdf") bytes each)"
mkdir out-seal out-seal1 out-py
t0=$(now); "$seal" stamp small --out-dir out-seal --seal pki/agency.esl --key pki/agency.key >/dev/null; t1=$(now)
seal_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now); RAYON_NUM_THREADS=1 "$seal" stamp small --out-dir out-seal1 --seal pki/agency.esl --key pki/agency.key >/dev/null; t1=$(now)
seal1_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
py_s=$("$python" pyhanko_sign.py pki/agency.key pki/agency.pem pki/province/ca.pem out-py small/*.pdf)
printf "%-34s %8.3f s %8s docs/s\n" "seal stamp (2 cores)" "$seal_s" "$(rate "$n" "$seal_s")"
printf "%-34s %8.3f s %8s docs/s\n" "seal stamp (1 thread)" "$seal1_s" "$(rate "$n" "$seal1_s")"
printf "%-34s %8.3f s %8s docs/s\n" "pyHanko sign_pdf (in process)" "$py_s" "$(rate "$n" "$py_s")"
awk -v a="$seal_s" -v b="$seal1_s" -v p="$py_s" 'BEGIN {
  printf "ratio seal/pyHanko: %.1fx (2 cores), %.1fx (1 thread)\n", p / a, p / b }'

echo "== one ${size} MB PDF"
measure() { # label command...
  local label=$1 t0 t1 rss
  shift
  t0=$(now)
  /usr/bin/time -f '%M' -o rss.txt "$@" >/dev/null 2>&1
  t1=$(now)
  rss=$(tail -1 rss.txt)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN {
    printf "%-34s %8.3f s %9.1f MB peak\n", l, b - a, r / 1024 }'
}
cat big.pdf > /dev/null
measure "openssl dgst -sha256 (hash only)" openssl dgst -sha256 big.pdf
measure "cp + sync (durable copy only)" sh -c 'cp big.pdf copy.pdf && sync copy.pdf' 
measure "seal stamp" "$seal" stamp big.pdf --seal pki/agency.esl --key pki/agency.key --force
measure "seal verify" "$seal" verify big.stamped.pdf --trust pki/root/ca.pem --untrusted pki/province/ca.pem
mkdir big-py
measure "pyHanko sign_pdf" "$python" pyhanko_sign.py pki/agency.key pki/agency.pem pki/province/ca.pem big-py big.pdf
"$python" -m pyhanko sign validate --executive-summary --no-revocation-check --trust pki/root/ca.pem \
  --trust-replace --other-certs pki/province/ca.pem big.stamped.pdf
