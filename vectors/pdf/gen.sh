#!/usr/bin/env bash
# Regenerates the PDFs under vectors/pdf/, every one made by a tool other than seal:
#   gs-3pages.pdf         Ghostscript pdfwrite, three pages, classic xref table
#   objstm.pdf            qpdf --object-streams=generate: xref stream and object streams
#   linearized.pdf        qpdf --linearize: a linearized ("fast web view") file
#   form-field.pdf        pyHanko addfields: an incremental update adding an AcroForm with
#                         an empty signature field "Approval" on page 2
#   pyhanko-p256.pdf      signed by pyHanko --use-pades (PAdES B-B) with an ECDSA P-256 key
#   pyhanko-ed25519.pdf   signed by pyHanko --use-pades (PAdES B-B) with an Ed25519 key
#   encrypted.pdf         qpdf --encrypt (AES-256), user password "user"
# pki/: the OpenSSL-made root and the pyHanko signers' certificates (valid ten years from when this ran).
# Usage: bash vectors/pdf/gen.sh   (needs gs, qpdf, openssl, .venv with pyhanko-cli)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pyhanko="$root/.venv/bin/pyhanko"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -rf pki && mkdir pki

cat > "$work/doc.ps" <<'PS'
%!PS
/Helvetica findfont 20 scalefont setfont
1 1 3 {
  /n exch def
  72 720 moveto (Contract No. 2026-117, page ) show n 3 string cvs show
  72 690 moveto (The parties agree to the terms below.) show
  showpage
} for
PS
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile=gs-3pages.pdf "$work/doc.ps"
qpdf --object-streams=generate gs-3pages.pdf objstm.pdf
qpdf --linearize gs-3pages.pdf linearized.pdf
qpdf --encrypt user owner 256 -- gs-3pages.pdf encrypted.pdf

cat > "$work/ext.cnf" <<'CNF'
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/root.key" 2>/dev/null
openssl req -new -x509 -key "$work/root.key" -subj "/CN=pyHanko Interop Root/O=Test/C=VN" \
  -days 3650 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out pki/root.pem
for alg in p256 ed25519; do
  case $alg in
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$alg.key" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ed25519 -out "$work/$alg.key" ;;
  esac
  openssl req -new -key "$work/$alg.key" -subj "/CN=pyHanko Signer $alg/O=Test/C=VN" -out "$work/$alg.csr"
  openssl x509 -req -in "$work/$alg.csr" -CA pki/root.pem -CAkey "$work/root.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 3650 -extfile "$work/ext.cnf" -extensions signer -out "pki/$alg.pem" 2>/dev/null
done

"$pyhanko" sign addfields --field "2/300,100,450,250/Approval" gs-3pages.pdf form-field.pdf
for alg in p256 ed25519; do
  "$pyhanko" sign addsig --use-pades --field "3/350,60,520,160/Signature1" --reason "interop test" pemder \
    --key "$work/$alg.key" --cert "pki/$alg.pem" --no-pass gs-3pages.pdf "pyhanko-$alg.pdf"
done
ls -la "$here"
