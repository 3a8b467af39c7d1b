#!/usr/bin/env bash
# Prints, from one run on this machine, signatures and verifications per second on one core:
# seal's API, the raw RustCrypto crates it wraps, and `openssl speed`, with the ratios.
# Usage: bash benches/compare.sh [SECONDS_PER_OPERATION]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
cargo build --release -q -p seal-benches --bin speed
ours=$(./target/release/speed "$secs")
ossl=$(openssl speed -seconds "$secs" ed25519 ecdsap256 ecdsap384 rsa2048 sm2 2>/dev/null)
# openssl speed prints e.g. " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  43000.0  13700.0"
#                      and " 253 bits EdDSA (Ed25519)     0.0001s   0.0001s  19600.0   7800.0"
o_p256=$(echo "$ossl" | awk '/ecdsa \(nistp256\)/ {print $(NF-1), $NF; exit}')
o_ed=$(echo "$ossl" | awk '/EdDSA \(Ed25519\)/ {print $(NF-1), $NF; exit}')
o_p384=$(echo "$ossl" | awk '/ecdsa \(nistp384\)/ {print $(NF-1), $NF; exit}')
o_sm2=$(echo "$ossl" | awk '/SM2 \(CurveSM2\)/ {print $(NF-1), $NF; exit}')
# and "rsa 2048 bits 0.000512s 0.000015s   1953.9  66043.3"
o_rsa=$(echo "$ossl" | awk '/^rsa 2048 bits/ {print $(NF-1), $NF; exit}')
get() { echo "$ours" | awk -v k="$1" '$1 == k {print $2}'; }
printf '%-22s %12s %12s %12s %10s %10s\n' operation seal raw-crate openssl seal/raw seal/openssl
row() { # label seal raw openssl
  awk -v l="$1" -v s="$2" -v r="$3" -v o="$4" 'BEGIN {
    printf "%-22s %12.0f %12.0f %12.0f %10.3f %10.3f\n", l, s, r, o, s / r, s / o }'
}
row "P-256 sign/s" "$(get seal-sign-p256)" "$(get raw-sign-p256)" "$(echo $o_p256 | cut -d' ' -f1)"
row "P-256 verify/s" "$(get seal-verify-p256)" "$(get raw-verify-p256)" "$(echo $o_p256 | cut -d' ' -f2)"
row "Ed25519 sign/s" "$(get seal-sign-ed25519)" "$(get raw-sign-ed25519)" "$(echo $o_ed | cut -d' ' -f1)"
row "Ed25519 verify/s" "$(get seal-verify-ed25519)" "$(get raw-verify-ed25519)" "$(echo $o_ed | cut -d' ' -f2)"
# P-256's raw-crate column is RustCrypto `p256`, which seal uses without its `aws-lc`
# feature; with it (the default) seal signs and verifies P-256 through AWS-LC.
# RSA and P-384 have no raw-crate column: seal signs RSA through AWS-LC and verifies it
# through AWS-LC too (RustCrypto `rsa` for what AWS-LC has no algorithm for); P-384 verifies
# through AWS-LC and signs through RustCrypto `p384`.
row2() { # label seal openssl
  awk -v l="$1" -v s="$2" -v o="$3" 'BEGIN {
    printf "%-22s %12.0f %12s %12.0f %10s %10.3f\n", l, s, "-", o, "-", s / o }'
}
row2 "RSA-2048 sign/s" "$(get seal-sign-rsa2048)" "$(echo $o_rsa | cut -d' ' -f1)"
row2 "RSA-2048 verify/s" "$(get seal-verify-rsa2048)" "$(echo $o_rsa | cut -d' ' -f2)"
row2 "P-384 sign/s" "$(get seal-sign-p384)" "$(echo $o_p384 | cut -d' ' -f1)"
row2 "P-384 verify/s" "$(get seal-verify-p384)" "$(echo $o_p384 | cut -d' ' -f2)"
# SM2 with SM3 and the GM/T 0009 ID, signing and verifying through RustCrypto `sm2`;
# `openssl speed sm2` signs and verifies SM2 with SM3 too.
row2 "SM2 sign/s" "$(get seal-sign-sm2)" "$(echo $o_sm2 | cut -d' ' -f1)"
row2 "SM2 verify/s" "$(get seal-verify-sm2)" "$(echo $o_sm2 | cut -d' ' -f2)"
