#!/usr/bin/env bash
# Regenerates the OpenSSL-made SM2 files under vectors/sm2/: two PKCS#8 keys (OpenSSL 3
# writes SM2 keys in no other form), the SEC1 ECPrivateKey inside the first (as it sits in
# PKCS#8, without the curve, which a reader must find from the public key), a signature over message.txt with the default ID of GM/T 0009, one with OpenSSL's
# own default (the empty ID), and a root and leaf certificate signed with the GM/T 0009 ID.
# seal-core/tests/sm2.rs says what seal must answer for each.
# Usage: bash vectors/sm2/gen.sh   (OpenSSL 3.0)
set -euo pipefail
cd "$(dirname "$0")"
id=distid:1234567812345678
openssl genpkey -algorithm SM2 -out pkcs8.key
openssl ecparam -name SM2 -genkey -noout -out ecparam.key
openssl asn1parse -in pkcs8.key -strparse 27 -noout -out sec1.der
openssl pkey -in pkcs8.key -pubout -out pkcs8.pub.pem
printf 'A licence issued by the Beijing market regulator.\n' > message.txt
openssl pkeyutl -sign -rawin -digest sm3 -inkey pkcs8.key -pkeyopt "$id" -in message.txt -out message.sig
openssl pkeyutl -sign -rawin -digest sm3 -inkey pkcs8.key -in message.txt -out message-empty-id.sig
cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -new -key pkcs8.key -sm3 -sigopt "$id" -subj "/C=CN/O=OpenSSL SM2 Test/CN=SM2 Root" \
  -days 3650 -set_serial 1 -extensions root -config <(cat /usr/lib/ssl/openssl.cnf ext.cnf) -out root.pem
openssl req -new -key ecparam.key -sm3 -sigopt "$id" -subj "/C=CN/O=OpenSSL SM2 Test/CN=SM2 Signer" -out leaf.csr
openssl x509 -req -in leaf.csr -CA root.pem -CAkey pkcs8.key -sm3 -sigopt "$id" -vfyopt "$id" \
  -set_serial 2 -days 3650 -extfile ext.cnf -extensions leaf -out leaf.pem
rm ext.cnf
openssl verify -vfyopt "$id" -CAfile root.pem leaf.pem
