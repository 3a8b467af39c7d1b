#!/usr/bin/env bash
# Stamping a large file versus hashing it with sha256sum, in one run on this machine:
# seconds, MB/s and peak memory (RSS) for each. Needs GNU time (/usr/bin/time).
# Usage: bash benches/hash_compare.sh [SIZE_MB]   (default 256)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256}
cargo build --release -q -p seal-cli
seal=$PWD/target/release/seal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$seal" demo --dir pki >/dev/null
head -c "${size}M" /dev/urandom > big.bin
measure() { # label command...
  local label=$1 t0 t1 rss
  shift
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o rss.txt "$@" >/dev/null 2>&1
  rss=$(tail -1 rss.txt)
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v m="$size" -v r="$rss" 'BEGIN {
    printf "%-28s %8.3f s %9.0f MB/s %8.1f MB peak\n", l, b - a, m / (b - a), r / 1024 }'
}
cat big.bin > /dev/null   # warm the page cache for both
measure "sha256sum" sha256sum big.bin
measure "openssl dgst -sha256" openssl dgst -sha256 big.bin
measure "seal stamp (SES, P-256)" "$seal" stamp big.bin --seal pki/agency.esl --key pki/agency.key --force
measure "seal verify" "$seal" verify big.bin --trust pki/root/ca.pem --untrusted pki/province/ca.pem
