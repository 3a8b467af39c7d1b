#!/usr/bin/env bash
# Stamping many files with a key on a PKCS#11 token (SoftHSM2) versus a key file, in one run:
# small text files (detached GB/T 38540 stamps) and small PDFs (PAdES inside).
# Usage: bash benches/token_compare.sh [FILES]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
module=/usr/lib/softhsm/libsofthsm2.so
cargo build --release -q -p seal-cli
seal=$PWD/target/release/seal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir tokens docs pdfs
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > softhsm2.conf
export SOFTHSM2_CONF=$work/softhsm2.conf SEAL_PIN=1234
softhsm2-util --init-token --free --label seal --so-pin 87654321 --pin 1234 >/dev/null
"$seal" demo --dir pki >/dev/null
for i in $(seq 1 "$n"); do
  echo "document $i" > "docs/d$i.txt"
  cp "$OLDPWD/vectors/pdf/gs-3pages.pdf" "pdfs/d$i.pdf"
done
for alg in p256 ed25519; do
  uri="pkcs11:token=seal;object=agency-$alg?module-path=$module&pin-source=env:SEAL_PIN"
  "$seal" key new --alg "$alg" --pkcs11 "$uri" >/dev/null
  "$seal" key new --alg "$alg" --out "file-$alg.key" >/dev/null
  for kind in token file; do
    key=$uri; [ "$kind" = file ] && key=file-$alg.key
    "$seal" csr --key "$key" --cn "Office $kind" --org City --country VN --org-id 1 --out "$kind-$alg.csr" >/dev/null
    "$seal" ca issue --dir pki/province --csr "$kind-$alg.csr" --profile seal --out "$kind-$alg.pem" >/dev/null
    "$seal" seal new --maker-key pki/seal-maker.key --maker-cert pki/seal-maker.pem --holder-cert "$kind-$alg.pem" \
      --name "Office $kind" --id "$kind-$alg" --draw --out "$kind-$alg.esl" >/dev/null
    for set in docs pdfs; do
      t0=$(date +%s.%N)
      "$seal" stamp "$set" --seal "$kind-$alg.esl" --key "$key" --force >/dev/null
      t1=$(date +%s.%N)
      awk -v k="$kind" -v a="$alg" -v n="$n" -v s="$t0" -v e="$t1" -v w="$set" 'BEGIN {
        printf "%-8s %-6s %-5s %6d files %8.3f s %9.0f files/s\n", a, k, w, n, e - s, n / (e - s) }'
    done
  done
done
