#!/usr/bin/env python3
"""Writes GB/T 38540 v4 seals and stamps with the encodings other Chinese seal systems use
where GB/T 38540's DER says otherwise, each signed with SM2/SM3 by OpenSSL (not by seal):

  no-zone.esl / no-zone.ses       dates without their trailing "Z" (as Suwell's seals were
                                  reported to write them): GeneralizedTime "20261203000000"
  offset.ses                      dates with a UTC offset, "20261203000000+0800", and
                                  fractional seconds in the stamp's time
  certlist3.esl / certlist3.ses   certListType 3, a type the standard does not define, over a
                                  list of certificates (as BaiWang's seals were reported to)
  certlist3-junk.ses              certListType 3 over something that is not certificates

Every stamp is over message.txt beside this script. The maker is the SM2 root of
vectors/sm2 (pkcs8.key, root.pem) and the holder its leaf (ecparam.key, leaf.pem). The DER
encoder below is this script's own; the signatures come from
`openssl pkeyutl -sign -rawin -digest sm3 -pkeyopt distid:1234567812345678`.
seal-core/tests/vendor_encodings.rs and seal-cli/tests/sm2.rs say what seal must answer.
Usage: python3 vectors/gbt38540/quirks/gen.py   (OpenSSL 3.0)
"""
import os
import struct
import subprocess
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SM2 = os.path.join(HERE, "..", "..", "sm2")


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + head + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big"))


def ia5(s):
    return tlv(0x16, s.encode())


def utf8(s):
    return tlv(0x0C, s.encode())


def octets(b):
    return tlv(0x04, b)


def bits(b):
    return tlv(0x03, b"\x00" + b)


def gtime(s):
    return tlv(0x18, s.encode())


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, out)


SM2_SM3 = oid("1.2.156.10197.1.501")


def cert_der(name):
    return subprocess.run(
        ["openssl", "x509", "-in", os.path.join(SM2, name), "-outform", "DER"],
        check=True, capture_output=True).stdout


def sm2_sign(key, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(
            ["openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey",
             os.path.join(SM2, key), "-pkeyopt", "distid:1234567812345678", "-in", f.name],
            check=True, capture_output=True).stdout


def sm3(data):
    out = subprocess.run(["openssl", "dgst", "-sm3", "-binary"], input=data, check=True,
                         capture_output=True).stdout
    assert len(out) == 32
    return out


def png():
    """A 16x16 red square, as a PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xcc\x00\x00" * 16 for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def seal(dates, cert_list_type=1, cert_list=None):
    holders = cert_list if cert_list is not None else seq(octets(cert_der("leaf.pem")))
    info = seq(
        seq(ia5("ES"), integer(4), ia5("QUIRKS-GEN")),
        ia5("quirks-" + dates[0]),
        seq(integer(1), utf8("北京市市场监督管理局"), integer(cert_list_type), holders,
            *[gtime(d) for d in dates]),
        seq(ia5("PNG"), octets(png()), integer(40), integer(40)),
    )
    return seq(info, octets(cert_der("root.pem")), SM2_SM3, bits(sm2_sign("pkcs8.key", info)))


def stamp(eseal, time):
    message = open(os.path.join(HERE, "message.txt"), "rb").read()
    tbs = seq(integer(4), eseal, gtime(time), bits(sm3(message)), ia5("message.txt"))
    return seq(tbs, octets(cert_der("leaf.pem")), SM2_SM3, bits(sm2_sign("ecparam.key", tbs)))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


no_zone = seal(["20261203000000", "20261203000000", "20311203000000"])
write("no-zone.esl", no_zone)
write("no-zone.ses", stamp(no_zone, "20261203100000"))
offset = seal(["20261203000000+0800", "20261203000000+0800", "20311203000000+0800"])
write("offset.ses", stamp(offset, "20261203100000.250+0800"))
zulu = ["20261202160000Z", "20261202160000Z", "20311202160000Z"]
list3 = seal(zulu, 3)
write("certlist3.esl", list3)
write("certlist3.ses", stamp(list3, "20261203020000Z"))
junk = seal(zulu, 3, seq(ia5("1")))
write("certlist3-junk.ses", stamp(junk, "20261203020000Z"))
