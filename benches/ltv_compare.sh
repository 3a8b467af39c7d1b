#!/usr/bin/env bash
# PAdES levels: stamping N small PDFs at B-B, B-T and B-LTA, documents per second, seal
# beside pyHanko in the same run on this machine. Both timestamp with an in-process TSA
# (seal: --tsa-dir; pyHanko: its DummyTimeStamper with the same TSA key and certificate,
# RSA-2048, as pyHanko's dummy TSA signs RSA only),
# and for B-LTA embed the same CRLs (no fetching) and add a document timestamp.
# Needs .venv with pyhanko (bash scripts/test installs it).
# Usage: bash benches/ltv_compare.sh [N]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
root=$PWD
python=$root/.venv/bin/python
cargo build --release -q -p seal-cli
seal=$root/target/release/seal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$seal" demo --dir pki >/dev/null
"$seal" key new --alg rsa --bits 2048 --out tsa.key >/dev/null
"$seal" csr --key tsa.key --cn "Bench TSA" --org Bench --country VN --org-id 01 --out tsa.csr >/dev/null
"$seal" ca issue --dir pki/root --csr tsa.csr --profile tsa --out tsa.pem >/dev/null
"$seal" tsa new --dir tsa --cert tsa.pem --key tsa.key >/dev/null
"$seal" ca crl --dir pki/province --out p.crl >/dev/null
"$seal" ca crl --dir pki/root --out r.crl >/dev/null
openssl x509 -in pki/agency.pem -out agency-only.pem
openssl x509 -in tsa.pem -out tsa-only.pem
mkdir small
for i in $(seq -w 1 "$n"); do cp "$root/vectors/pdf/gs-3pages.pdf" "small/doc$i.pdf"; done
cat > pyhanko_levels.py <<'PY'
import sys, time
from asn1crypto import crl as asn1crl, pem
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
level, outdir = sys.argv[1:3]
files = sys.argv[3:]
signer = signers.SimpleSigner.load("pki/agency.key", "agency-only.pem", ca_chain_files=("pki/province/ca.pem",))
tsa = DummyTimeStamper(load_cert_from_pemder("tsa-only.pem"), load_private_key_from_pemder("tsa.key", None),
                       certs_to_embed=[load_cert_from_pemder("pki/root/ca.pem")])
crls = []
for c in ("p.crl", "r.crl"):
    data = open(c, "rb").read()
    crls.append(asn1crl.CertificateList.load(pem.unarmor(data)[2] if pem.detect(data) else data))
vc = ValidationContext(trust_roots=[load_cert_from_pemder("pki/root/ca.pem")], crls=crls, allow_fetching=False)
lta = level == "b-lta"
meta = signers.PdfSignatureMetadata(field_name="Seal1", subfilter=fields.SigSeedSubFilter.PADES,
                                    embed_validation_info=lta, use_pades_lta=lta,
                                    validation_context=vc if lta else None)
spec = fields.SigFieldSpec("Seal1", box=(446, 36, 559, 149), on_page=-1)
ts = None if level == "b-b" else tsa
start = time.perf_counter()
for f in files:
    with open(f, "rb") as inf, open(f"{outdir}/{f.split('/')[-1]}", "wb") as outf:
        signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, timestamper=ts,
                         output=outf, new_field_spec=spec)
print(time.perf_counter() - start)
PY
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
now() { date +%s.%N; }
echo "== $n small PDFs ($(stat -c %s "small/doc$(printf "%0${#n}d" 1).pdf") bytes each), seal on all cores"
printf "%-8s %14s %14s %10s\n" level "seal docs/s" "pyHanko docs/s" ratio
for level in b-b b-t b-lta; do
  extra=()
  case $level in
    b-t) extra=(--tsa-dir tsa --level b-t) ;;
    b-lta) extra=(--tsa-dir tsa --level b-lta --crl p.crl --crl r.crl --trust pki/root/ca.pem) ;;
  esac
  mkdir "seal-$level" "py-$level"
  t0=$(now)
  "$seal" stamp small --out-dir "seal-$level" --seal pki/agency.esl --key pki/agency.key "${extra[@]}" >/dev/null
  t1=$(now)
  seal_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  py_s=$("$python" -W ignore pyhanko_levels.py "$level" "py-$level" small/*.pdf 2>/dev/null)
  printf "%-8s %14s %14s %9.1fx\n" "$level" "$(rate "$n" "$seal_s")" "$(rate "$n" "$py_s")" \
    "$(awk -v a="$seal_s" -v p="$py_s" 'BEGIN { print p / a }')"
done
# Both produce what they claim: one of each verified by the other tool.
"$seal" verify "py-b-lta/doc$(printf "%0${#n}d" 1).pdf" --trust pki/root/ca.pem >/dev/null
"$root/.venv/bin/pyhanko" sign adesverify --trust pki/root/ca.pem --trust-replace \
  "seal-b-lta/doc$(printf "%0${#n}d" 1).stamped.pdf" 2>/dev/null | tail -1
