"""COSE interop for seal's licences, with cbor2, pycose, base45 and zlib (not ours).

  cose.py verify TEXT_FILE CERT.pem       decode LC1: text and verify it with CERT's key
  cose.py issue KEY.pem CERT.pem OUT.txt  make a licence the same way, print nothing
"""
import hashlib
import sys
import zlib

import base45
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    Encoding, NoEncryption, PrivateFormat, PublicFormat, load_pem_private_key)
from cryptography.hazmat.primitives.asymmetric import ed25519
from pycose.messages import Sign1Message
from pycose.keys import CoseKey
from pycose.headers import Algorithm, KID
from pycose.algorithms import EdDSA, Es256
from pycose.keys.keyparam import KpKty, OKPKpCurve, OKPKpX, OKPKpD, EC2KpCurve, EC2KpX, EC2KpY, EC2KpD
from pycose.keys.keytype import KtyOKP, KtyEC2
from pycose.keys.curves import Ed25519, P256


def check_char(number):
    """ISO/IEC 7064 MOD 37,36, written independently of seal."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    p = 36
    for c in number:
        s = (p + alphabet.index(c)) % 36 or 36
        p = (2 * s) % 37
    return alphabet[(37 - p) % 36]


def cose_key(public, private=None):
    if isinstance(public, ed25519.Ed25519PublicKey):
        params = {KpKty: KtyOKP, OKPKpCurve: Ed25519, OKPKpX: public.public_bytes(Encoding.Raw, PublicFormat.Raw)}
        if private is not None:
            params[OKPKpD] = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return CoseKey.from_dict(params)
    nums = public.public_numbers()
    params = {KpKty: KtyEC2, EC2KpCurve: P256, EC2KpX: nums.x.to_bytes(32, "big"), EC2KpY: nums.y.to_bytes(32, "big")}
    if private is not None:
        params[EC2KpD] = private.private_numbers().private_value.to_bytes(32, "big")
    return CoseKey.from_dict(params)


def verify(text_path, cert_path):
    text = open(text_path).read().strip()
    assert text.startswith("LC1:"), "prefix"
    cose = zlib.decompress(base45.b45decode(text[4:]))
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    msg = Sign1Message.decode(cose)
    kid = hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()[:8]
    assert msg.phdr[KID] == kid, "kid"
    msg.key = cose_key(cert.public_key())
    assert msg.verify_signature(), "signature"
    claims = cbor2.loads(msg.payload)
    # seal writes deterministic CBOR: cbor2's canonical form (sorted keys, shortest forms;
    # for integer and text keys the same order as RFC 8949 section 4.2.1) is the same bytes.
    assert cbor2.dumps(claims, canonical=True) == msg.payload, "deterministic CBOR"
    lic = claims["lic"]
    print(f"{lic['t']} {lic['n']} for {lic['h']['n']} verified by pycose; exp {claims[4]}")


def issue(key_path, cert_path, out_path):
    key = load_pem_private_key(open(key_path, "rb").read(), None)
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    alg = EdDSA if isinstance(key, ed25519.Ed25519PrivateKey) else Es256
    kid = hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()[:8]
    claims = {
        1: "Python Licensing Office",
        4: 1893456000,  # 2030-01-01
        5: 1767225600,  # 2026-01-01
        6: 1767225600,
        "lic": {"t": "qualification", "n": "PY2026000001-" + check_char("PY2026000001"),
                "h": {"n": "Nguyễn Văn A", "i": "079200001234"}, "r": "VN-SG",
                "a": {"profession": "electrician", "level": "3", "awarded": "2025-12-01"}},
    }
    msg = Sign1Message(phdr={Algorithm: alg, KID: kid}, payload=cbor2.dumps(claims))
    msg.key = cose_key(key.public_key(), key)
    cose = msg.encode(tag=True)
    open(out_path, "w").write("LC1:" + base45.b45encode(zlib.compress(cose, 9)).decode())


if __name__ == "__main__":
    {"verify": verify, "issue": issue}[sys.argv[1]](*sys.argv[2:])
