"""Checks SM2-with-SM3 signatures that seal made, with two implementations we did not write:
OpenSSL 3 (`openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678`)
and gmssl (pure Python, GB/T 32918 with the default ID of GM/T 0009).

Usage:
  sm2_check.py x509 SIGNED ISSUER_CERT   a certificate, CRL or CSR (PEM or DER) and the
                                         certificate whose key signed it (the CSR's own key
                                         when ISSUER_CERT is '-')
  sm2_check.py raw DATA SIG PUBKEY_PEM   a signature (DER, GB/T 35276) over the bytes of DATA
  sm2_check.py ses FILE [DATA]           a GB/T 38540 seal (SESeal) or stamp (SES_Signature):
                                         the signature over its first element by the
                                         certificate it carries; for a stamp with DATA, its
                                         dataHash is SM3(DATA)

Prints one line per check and exits 1 if any fails. The signed part and the signature come
from asn1crypto (pyHanko's ASN.1 library), not from seal.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from asn1crypto import csr, core, crl, keys, pem, x509
from gmssl import func, sm2, sm3

SM2_SM3 = "1.2.156.10197.1.501"
DISTID = "1234567812345678"


def der_of(path):
    data = Path(path).read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return data


def signed_parts(der):
    """(kind, to-be-signed bytes, signature algorithm OID, signature DER, SPKI of a CSR)."""
    top = core.Sequence.load(der)
    first = top[0]
    # A certificate's TBS starts with [0] version; a CRL's with an INTEGER version or the
    # algorithm; a CSR's with INTEGER 0 then a Name then an SPKI.
    for kind, cls in (("certificate", x509.Certificate), ("CRL", crl.CertificateList),
                      ("CSR", csr.CertificationRequest)):
        try:
            obj = cls.load(der)
            obj.native  # parse everything
        except Exception:
            continue
        if kind == "certificate":
            tbs, alg = obj["tbs_certificate"], obj["signature_algorithm"]
            return kind, tbs.dump(), alg["algorithm"].dotted, obj["signature_value"].native, None
        if kind == "CRL":
            tbs, alg = obj["tbs_cert_list"], obj["signature_algorithm"]
            return kind, tbs.dump(), alg["algorithm"].dotted, obj["signature"].native, None
        info = obj["certification_request_info"]
        return (kind, info.dump(), obj["signature_algorithm"]["algorithm"].dotted,
                obj["signature"].native, info["subject_pk_info"])
    raise SystemExit(f"{first!r}: not a certificate, CRL or CSR")


def public_point(spki):
    if spki["algorithm"]["parameters"].chosen.dotted != "1.2.156.10197.1.301":
        raise SystemExit("the key is not on the SM2 curve")
    point = spki["public_key"].native
    if len(point) != 65 or point[0] != 4:
        raise SystemExit("the SM2 key is not an uncompressed point")
    return point[1:]


def check(label, data, sig_der, spki):
    """OpenSSL, then gmssl, over `data` with the signature `sig_der` by key `spki`."""
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / "data").write_bytes(data)
        (d / "sig").write_bytes(sig_der)
        pub = pem.armor("PUBLIC KEY", spki.dump())
        (d / "pub.pem").write_bytes(pub)
        out = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
             str(d / "pub.pem"), "-in", str(d / "data"), "-sigfile", str(d / "sig"),
             "-pkeyopt", f"distid:{DISTID}"],
            capture_output=True, text=True)
        ok = out.returncode == 0 and "Signature Verified Successfully" in out.stdout
        print(f"{label}: openssl pkeyutl: {'OK' if ok else 'FAILED ' + out.stdout + out.stderr}")
        failures += not ok
    # gmssl wants r || s in hex; the DER is SEQUENCE { INTEGER r, INTEGER s } (GB/T 35276).
    seq = core.Sequence.load(sig_der)
    r, s = core.Integer.load(seq[0].dump()).native, core.Integer.load(seq[1].dump()).native
    signer = sm2.CryptSM2(private_key=None, public_key="00" * 64)
    # gmssl strips a leading "04" with lstrip, which eats more when x starts with 0 or 4.
    signer.public_key = public_point(spki).hex()
    ok = bool(signer.verify_with_sm3(f"{r:064x}{s:064x}", data))
    print(f"{label}: gmssl verify_with_sm3: {'OK' if ok else 'FAILED'}")
    failures += not ok
    return failures


def check_ses(path, data_path):
    """A seal or stamp: SEQUENCE { signed, cert OCTET STRING, alg OID, signature BIT STRING, .. }."""
    top = core.Sequence.load(der_of(path))
    signed = top[0]
    cert = x509.Certificate.load(core.OctetString.load(top[1].dump()).native)
    alg = core.ObjectIdentifier.load(top[2].dump()).dotted
    if alg != SM2_SM3:
        raise SystemExit(f"{path}: signature algorithm {alg}, not SM2 with SM3")
    sig = core.BitString.load(top[3].dump()).native
    sig = int("".join(map(str, sig)) or "0", 2).to_bytes(len(sig) // 8, "big")
    failures = check(path, signed.dump(), sig, cert["tbs_certificate"]["subject_public_key_info"])
    if data_path is not None:
        bits = core.BitString.load(core.Sequence.load(signed.dump())[3].dump()).native
        data_hash = int("".join(map(str, bits)), 2).to_bytes(len(bits) // 8, "big")
        digest = bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(Path(data_path).read_bytes())))
        ok = data_hash == digest
        print(f"{path}: dataHash is gmssl's SM3 of {data_path}: {'OK' if ok else 'FAILED'}")
        failures += not ok
    return failures


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "x509":
        kind, tbs, alg, sig, own_spki = signed_parts(der_of(sys.argv[2]))
        if alg != SM2_SM3:
            raise SystemExit(f"{sys.argv[2]}: signature algorithm {alg}, not SM2 with SM3")
        if sys.argv[3] == "-":
            spki = own_spki
        else:
            spki = x509.Certificate.load(der_of(sys.argv[3]))["tbs_certificate"][
                "subject_public_key_info"]
        failures = check(f"{sys.argv[2]} ({kind})", tbs, sig, spki)
    elif len(sys.argv) == 5 and sys.argv[1] == "raw":
        spki = keys.PublicKeyInfo.load(der_of(sys.argv[4]))
        failures = check(sys.argv[2], Path(sys.argv[2]).read_bytes(),
                         Path(sys.argv[3]).read_bytes(), spki)
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "ses":
        failures = check_ses(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
    else:
        raise SystemExit(__doc__)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
