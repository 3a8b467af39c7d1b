"""JOSE interop for seal's JSON stamps, with jwcrypto and rfc8785 (libraries we did not write).

  jose.py verify DOC.json CERT.pem          verify every stamp of DOC with CERT's key
  jose.py stamp DOC.json KEY.pem CERT.pem SEAL.der OUT.json
                                            add a stamp made by jwcrypto

The payload of a stamp is the RFC 8785 canonical form of the document without "_stamps".
"""
import base64
import hashlib
import json
import sys

import rfc8785
from jwcrypto import jwk, jws
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


def payload(doc):
    doc = {k: v for k, v in doc.items() if k != "_stamps"}
    return rfc8785.dumps(doc)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify(doc_path, cert_path):
    doc = json.load(open(doc_path, encoding="utf-8"))
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    key = jwk.JWK.from_pyca(cert.public_key())
    data = payload(doc)
    for i, stamp in enumerate(doc["_stamps"]):
        token = jws.JWS()
        token.deserialize(json.dumps(stamp))
        token.verify(key, detached_payload=data)
        header = json.loads(base64.urlsafe_b64decode(stamp["protected"] + "=="))
        der = base64.b64decode(header["x5c"][0])
        assert der == cert.public_bytes(Encoding.DER), "x5c is not the certificate"
        seal = base64.b64decode(stamp["header"]["x-seal"])
        assert header["x-seal-S256"] == b64url(hashlib.sha256(seal).digest()), "seal digest"
        print(f"stamp {i + 1}: {header['alg']} verified by jwcrypto")


def stamp(doc_path, key_path, cert_path, seal_path, out_path):
    doc = json.load(open(doc_path, encoding="utf-8"))
    key = jwk.JWK.from_pem(open(key_path, "rb").read())
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    seal = open(seal_path, "rb").read()
    stamps = doc.get("_stamps", [])
    alg = "EdDSA" if key.get("crv") == "Ed25519" else "ES256"
    header = {
        "alg": alg,
        "x5c": [base64.b64encode(cert.public_bytes(Encoding.DER)).decode()],
        "sigT": "2026-06-01T00:00:00Z",
        "seq": len(stamps) + 1,
        "x-seal-S256": b64url(hashlib.sha256(seal).digest()),
    }
    token = jws.JWS(payload(doc))
    token.add_signature(key, None, json.dumps(header), json.dumps({"x-seal": base64.b64encode(seal).decode()}))
    token.detach_payload()
    stamps.append(json.loads(token.serialize()))
    doc["_stamps"] = stamps
    json.dump(doc, open(out_path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    {"verify": verify, "stamp": stamp}[sys.argv[1]](*sys.argv[2:])
