#!/usr/bin/env bash
# Timestamps per second, from one run on this machine: seal's TSA in-process (criterion,
# `tsa-respond`), `seal tsa respond` and `openssl ts -reply` each run once per request (a
# process per timestamp, as a script would), with the same P-256 TSA key and request.
# Usage: bash benches/tsa_compare.sh [REQUESTS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
cargo build --release -q -p seal-cli
seal=$PWD/target/release/seal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
$seal ca new --dir root --cn Root --org Bench --country VN >/dev/null
$seal key new --alg p256 --out tsa.key >/dev/null
$seal csr --key tsa.key --cn TSA --org Bench --country VN --org-id 1 --out tsa.csr >/dev/null
$seal ca issue --dir root --csr tsa.csr --profile tsa --out tsa.pem >/dev/null
$seal tsa new --dir tsa --cert tsa.pem --key tsa.key >/dev/null
openssl x509 -in tsa.pem -out tsa-only.pem
cat > ts.cnf <<CNF
[ tsa ]
default_tsa = t
[ t ]
serial = ./serial
signer_cert = ./tsa-only.pem
certs = ./tsa-only.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ess_cert_id_alg = sha256
CNF
echo 01 > serial
echo "a document" > doc.txt
openssl ts -query -data doc.txt -sha256 -cert -out req.tsq 2>/dev/null
rate() { # label command...
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s.%N)
  awk -v l="$label" -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%-34s %8.0f /s\n", l, n / (e - s) }'
}
rate "openssl ts -reply (per process)" openssl ts -reply -config ts.cnf -queryfile req.tsq -out r.tsr
rate "seal tsa respond (per process)" $seal tsa respond req.tsq --dir tsa --out s.tsr --force
cd - >/dev/null
cargo bench -q -p seal-benches --bench tsa -- --warm-up-time 1 --measurement-time 3 2>/dev/null |
  awk '/^tsa-respond/ {name=$1} /thrpt:/ {printf "%-34s %8s %s\n", "seal in-process " name, $(NF-3), $(NF-2)}'
