#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (libFuzzer through cargo-fuzz, on the nightly
# toolchain) and prints a line per target: executions, executions per second, coverage
# (libFuzzer's edge count "cov" and feature count "ft"), corpus size, and crashes.
# Limits per input: 1 s (-timeout=1, or TIMEOUT) and 512 MB (-rss_limit_mb=512). Every crash, timeout
# or out-of-memory input is kept in fuzz/artifacts/TARGET/ and makes the script fail.
# Seeds: the vectors, `seal demo`'s files, and fixture-made inputs (src/bin/seeds.rs).
# Usage: bash fuzz/run.sh SECONDS [TARGET...]     (JOBS=2 runs two targets at a time)
# Logs: fuzz/logs/TARGET.log; the corpus grows in fuzz/corpus/TARGET across runs.
# RUNS=N stops a target after N executions if that comes before SECONDS.
# Build: SANITIZER=address (the default) or none, PROFILE=release (the default) or dev. CI
# replays the corpus with SANITIZER=none PROFILE=dev TIMEOUT=10, which builds in 2 minutes
# where the optimised AddressSanitizer build takes 12 (unoptimised code needs the longer
# limit per input); the long runs use the defaults. Both builds check integer overflow and
# debug assertions.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:?usage: bash fuzz/run.sh SECONDS [TARGET...]}
shift
jobs=${JOBS:-1}
if [ $# -gt 0 ]; then targets=("$@"); else
  targets=(); for f in fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2
sanitizer=${SANITIZER:-address}
case ${PROFILE:-release} in
  release) cargo +nightly fuzz build -O -a -s "$sanitizer"; bin=target/x86_64-unknown-linux-gnu/release ;;
  dev) cargo +nightly fuzz build --dev -s "$sanitizer"; bin=target/x86_64-unknown-linux-gnu/debug ;;
  *) echo "PROFILE must be release or dev" >&2; exit 2 ;;
esac

# Seeds, made fresh each run in a directory of the run's own, and only this run's targets'
# logs replaced: two runs of different targets may go at once.
mkdir -p seeds logs
seeds=$(mktemp -d "$PWD/seeds/run.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
for t in "${targets[@]}"; do rm -f "logs/$t.log"; done
"$bin/seeds" "$seeds"
(cd .. && cargo run -q -p seal-cli -- demo --dir "$seeds/demo" >/dev/null)
vectors=$PWD/../vectors
seed() { # target file...
  local t=$1
  shift
  mkdir -p "$seeds/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    # Large files make slow executions; the fuzzers grow inputs from small ones.
    [ "$(stat -c %s "$f")" -le 300000 ] || continue
    cp "$f" "$seeds/$t/$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"
  done
}
demo=$seeds/demo
seed keys "$demo"/*.key "$demo"/*.pem "$vectors"/pki/openssl/*/*.key "$vectors"/pdf/pki/*.pem
seed x509 "$demo"/*.pem "$demo"/*.crl "$vectors"/pki/openssl/*/*.pem "$vectors"/pki/openssl/*/*.crl \
  "$vectors"/gbt38540/*.pem
seed csr_ca "$demo"/*.csr "$vectors"/pki/openssl/*/*.csr
seed ses "$demo"/*.esl "$demo"/*.ses "$vectors"/gbt38540/*.esl "$vectors"/gbt38540/*.dat \
  "$vectors"/gbt38540/*.DER "$vectors"/gbt38540/quirks/*.es?
seed cms
seed pdf_verify $(find "$vectors" -name '*.pdf') "$demo"/*.pdf
seed pdf_stamp "$vectors"/pdf/*.pdf "$demo"/contract.pdf
seed pdf_objects
seed ofd "$vectors"/gbt38540/*.ofd
seed json "$demo"/*.json
seed licence "$demo"/licence.txt
seed qr "$demo"/*.png $(find "$vectors"/dcc/qr -name '*.png' | head -40) "$vectors"/fuzz/qr-*.png
seed trust_list
seed der_tree

run_one() { # target
  local t=$1 log=logs/$1.log
  mkdir -p "corpus/$t" "artifacts/$t" "$seeds/$t"
  local extra=()
  [ -z "${RUNS:-}" ] || extra+=(-runs="$RUNS")
  case $t in pdf_*) extra+=(-max_len=262144) ;; esac
  # libFuzzer exits non-zero on a crash; the artifacts count it below.
  "$bin/$t" "corpus/$t" "$seeds/$t" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=512 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" "${extra[@]}" >"$log" 2>&1 || true
}
export -f run_one
timeout=${TIMEOUT:-1}
export bin seeds secs timeout RUNS
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'

printf '%-12s %8s %12s %9s %7s %7s %7s %7s\n' target seconds executions exec/s cov ft corpus crashes
failed=0
for t in "${targets[@]}"; do
  log=logs/$t.log
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1 || true)
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  corpus=$(find "corpus/$t" -type f | wc -l)
  crashes=$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  printf '%-12s %8s %12s %9s %7s %7s %7s %7s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes"
  if [ "$crashes" -gt 0 ] || [ -z "$execs" ]; then
    failed=1
    find "artifacts/$t" -type f | sed 's/^/  artifact: fuzz\//'
    [ -n "$execs" ] || tail -20 "$log"
  fi
done
exit $failed
