#!/usr/bin/env bash
# Regenerates the OpenSSL-made chains under vectors/pki/openssl/{p256,ed25519}/.
# Every certificate here was made by `openssl req`, `openssl x509` and `openssl ca`, not by
# seal; cases.txt says what seal must answer for each. Validity runs from 2026 to 2036 unless
# a case needs otherwise; the cases are checked at 2027-06-01.
# Usage: bash vectors/pki/openssl/gen.sh   (OpenSSL 3.0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

genkey() { # alg out
  case "$1" in
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ed25519 -out "$2" ;;
  esac
}

for alg in p256 ed25519; do
  d="$here/$alg"
  rm -rf "$d" && mkdir -p "$d" && cd "$d"
  work=$(mktemp -d)
  cat > "$work/ext.cnf" <<'CNF'
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[subinter]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[seal]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[encipher]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[critical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:must-understand
CNF
  # A minimal `openssl ca` setup for the intermediate.
  mkdir -p "$work/ca/new"
  : > "$work/ca/index.txt"
  echo 1000 > "$work/ca/serial"
  echo 1000 > "$work/ca/crlnumber"
  cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = inter
[inter]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $d/inter.pem
private_key = $work/inter.key
default_md = default
policy = any
unique_subject = no
copy_extensions = none
[any]
countryName = supplied
organizationName = supplied
organizationIdentifier = optional
commonName = supplied
CNF
  ossl_ca() { openssl ca -batch -config "$work/ca.cnf" -notext "$@" 2>/dev/null; }
  subj() { echo "/C=VN/O=$1/organizationIdentifier=VATVN-0101234567/CN=$2"; }

  genkey $alg "$work/root.key"
  openssl req -x509 -new -key "$work/root.key" -subj "$(subj 'OpenSSL Test Authority' 'OpenSSL Root')" \
    -days 3650 -config "$work/ext.cnf" -extensions root -out root.pem 2>/dev/null
  genkey $alg "$work/inter.key"
  openssl req -new -key "$work/inter.key" -subj "$(subj 'OpenSSL Test Authority' 'OpenSSL Inter')" -out "$work/inter.csr"
  openssl x509 -req -in "$work/inter.csr" -CA root.pem -CAkey "$work/root.key" -set_serial 0x2001 \
    -days 3650 -extfile "$work/ext.cnf" -extensions inter -out inter.pem 2>/dev/null

  leaf() { # name extensions [startdate enddate]
    genkey $alg "$work/$1.key"
    openssl req -new -key "$work/$1.key" -subj "$(subj 'City of Example' "Leaf $1")" -out "$work/$1.csr"
    local dates=(-startdate 20260101000000Z -enddate 20360101000000Z)
    [ $# -ge 4 ] && dates=(-startdate "$3" -enddate "$4")
    ossl_ca -in "$work/$1.csr" -extfile "$work/ext.cnf" -extensions "$2" "${dates[@]}" -out "$1.pem"
  }
  leaf good seal
  leaf expired seal 20260101000000Z 20270101000000Z
  leaf notyet seal 20280101000000Z 20300101000000Z
  leaf encipher encipher
  leaf critical critical
  leaf revoked seal
  ossl_ca -gencrl -crldays 3650 -out fresh.crl
  ossl_ca -revoke revoked.pem -crl_reason keyCompromise
  ossl_ca -gencrl -crldays 3650 -out revoked.crl
  ossl_ca -gencrl -crlhours 1 -out stale.crl

  # A leaf whose signature was changed after signing (last byte of the signature flipped).
  openssl x509 -in good.pem -outform DER -out "$work/good.der"
  python3 - "$work/good.der" badsig.pem <<'PY'
import base64, sys
der = bytearray(open(sys.argv[1], 'rb').read())
der[-1] ^= 0x01
b64 = base64.encodebytes(bytes(der)).decode().replace('\n', '')
lines = [b64[i:i+64] for i in range(0, len(b64), 64)]
open(sys.argv[2], 'w').write('-----BEGIN CERTIFICATE-----\n' + '\n'.join(lines) + '\n-----END CERTIFICATE-----\n')
PY

  # Another CA with the same name as the intermediate but a different key (wrong issuer).
  genkey $alg "$work/other.key"
  openssl req -new -key "$work/other.key" -subj "$(subj 'OpenSSL Test Authority' 'OpenSSL Inter')" -out "$work/other.csr"
  openssl x509 -req -in "$work/other.csr" -CA root.pem -CAkey "$work/root.key" -set_serial 0x2002 \
    -days 3650 -extfile "$work/ext.cnf" -extensions inter -out "$work/other.pem" 2>/dev/null
  genkey $alg "$work/wrongissuer.key"
  openssl req -new -key "$work/wrongissuer.key" -subj "$(subj 'City of Example' 'Leaf wrongissuer')" -out "$work/wi.csr"
  openssl x509 -req -in "$work/wi.csr" -CA "$work/other.pem" -CAkey "$work/other.key" -set_serial 0x3001 \
    -days 3650 -extfile "$work/ext.cnf" -extensions seal -out wrongissuer.pem 2>/dev/null

  # An "intermediate" that is not a CA (basicConstraints cA false), issuing a leaf.
  genkey $alg "$work/notca.key"
  openssl req -new -key "$work/notca.key" -subj "$(subj 'OpenSSL Test Authority' 'Not A CA')" -out "$work/notca.csr"
  openssl x509 -req -in "$work/notca.csr" -CA root.pem -CAkey "$work/root.key" -set_serial 0x2003 \
    -days 3650 -extfile "$work/ext.cnf" -extensions notca -out notca.pem 2>/dev/null
  genkey $alg "$work/undernotca.key"
  openssl req -new -key "$work/undernotca.key" -subj "$(subj 'City of Example' 'Leaf undernotca')" -out "$work/unc.csr"
  openssl x509 -req -in "$work/unc.csr" -CA notca.pem -CAkey "$work/notca.key" -set_serial 0x3002 \
    -days 3650 -extfile "$work/ext.cnf" -extensions seal -out undernotca.pem 2>/dev/null

  # pathLen: the intermediate (pathlen:0) certifies a sub-CA, which certifies a leaf.
  genkey $alg "$work/sub.key"
  openssl req -new -key "$work/sub.key" -subj "$(subj 'OpenSSL Test Authority' 'OpenSSL Sub')" -out "$work/sub.csr"
  openssl x509 -req -in "$work/sub.csr" -CA inter.pem -CAkey "$work/inter.key" -set_serial 0x2004 \
    -days 3650 -extfile "$work/ext.cnf" -extensions subinter -out sub.pem 2>/dev/null
  genkey $alg "$work/undersub.key"
  openssl req -new -key "$work/undersub.key" -subj "$(subj 'City of Example' 'Leaf undersub')" -out "$work/us.csr"
  openssl x509 -req -in "$work/us.csr" -CA sub.pem -CAkey "$work/sub.key" -set_serial 0x3003 \
    -days 3650 -extfile "$work/ext.cnf" -extensions seal -out undersub.pem 2>/dev/null

  # A key and CSR for the interop tests of `seal ca issue`.
  cp "$work/good.key" good.key
  cp "$work/good.csr" good.csr
  rm -rf "$work"
done
echo "regenerated $here/{p256,ed25519}"
