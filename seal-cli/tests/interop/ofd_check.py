"""Checks electronic seals in an OFD document (GB/T 33190, GB/T 38540) without seal's code:
the zip read by Python's zipfile, the XML by ElementTree, SM3 by gmssl, and each stamp's
SM2 signature by OpenSSL's pkeyutl and by gmssl (sm2_check.py).

Usage:
  ofd_check.py verify FILE.ofd SIGNATURE_XML...   check these signatures (package paths such
                                                  as Doc_0/Signs/Sign_1/Signature.xml)
  ofd_check.py tamper FILE.ofd OUTDIR             write one copy of FILE.ofd per part, that
                                                  part with one byte changed (OUTDIR/N.ofd,
                                                  and OUTDIR/N.txt naming the part)

For each signature: it is listed in the document's signature list, which OFD.xml names; every
Reference's CheckValue is the digest of its part; the SignedValue is an SES_Signature whose
signature verifies, whose dataHash is SM3 of the Signature.xml and whose propertyInfo names
it; the StampAnnot is on a page of the document and as large as the seal's picture.
"""

import base64
import hashlib
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from asn1crypto import core, x509
from gmssl import func, sm3

sys.path.insert(0, str(Path(__file__).parent))
import sm2_check  # noqa: E402

OFD = "{*}"  # any namespace: GB/T 33190 gives http://www.ofdspec.org/2016, Suwell wrote http://www.ofdspec.org


def part_path(ref, base=""):
    ref = ref.strip()
    path = ref[1:] if ref.startswith("/") else (f"{base}/{ref}" if base else ref)
    out = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            out.pop()
        else:
            out.append(seg)
    return "/".join(out)


def digest(method, data):
    if method in ("1.2.156.10197.1.401", "SM3"):
        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))
    if method in ("2.16.840.1.101.3.4.2.1", "SHA256", "SHA-256"):
        return hashlib.sha256(data).digest()
    raise SystemExit(f"unknown CheckMethod {method}")


def bits(value):
    b = core.BitString.load(value.dump()).native
    return int("".join(map(str, b)) or "0", 2).to_bytes(len(b) // 8, "big")


def verify(path, wanted):
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    ofd = ET.fromstring(z.read("OFD.xml"))
    body = ofd.find(f"{OFD}DocBody")
    doc_root = part_path(body.find(f"{OFD}DocRoot").text)
    list_path = part_path(body.find(f"{OFD}Signatures").text)
    listed = ET.fromstring(z.read(list_path))
    base = list_path.rsplit("/", 1)[0] if "/" in list_path else ""
    listed = {part_path(s.get("BaseLoc"), base) for s in listed.findall(f"{OFD}Signature")}
    doc = ET.fromstring(z.read(doc_root))
    pages = [p.get("ID") for p in doc.iterfind(f".//{OFD}Page")]
    failures = 0

    def report(ok, what):
        nonlocal failures
        print(f"{path}: {what}: {'OK' if ok else 'FAILED'}")
        failures += not ok

    for sig_path in wanted:
        report(sig_path in listed, f"{sig_path} is in {list_path}")
        raw = z.read(sig_path)
        sig = ET.fromstring(raw)
        info = sig.find(f"{OFD}SignedInfo")
        refs = info.find(f"{OFD}References")
        method = refs.get("CheckMethod")
        ref_parts = set()
        for r in refs.findall(f"{OFD}Reference"):
            part = part_path(r.get("FileRef"))
            ref_parts.add(part)
            want = base64.b64decode(r.find(f"{OFD}CheckValue").text)
            ok = part in names and digest(method, z.read(part)) == want
            report(ok, f"{sig_path}: digest of {part}")
        report(doc_root in ref_parts, f"{sig_path} covers {doc_root}")
        value_path = part_path(sig.find(f"{OFD}SignedValue").text)
        stamp = core.Sequence.load(z.read(value_path))
        tbs = core.Sequence.load(stamp[0].dump())
        data_hash = bits(tbs[3])
        report(data_hash == digest("SM3", raw), f"{sig_path}: dataHash is SM3 of it")
        prop = core.IA5String.load(tbs[4].dump()).native
        report(part_path(prop) == sig_path, f"{sig_path}: propertyInfo {prop!r} names it")
        cert = x509.Certificate.load(core.OctetString.load(stamp[1].dump()).native)
        spki = cert["tbs_certificate"]["subject_public_key_info"]
        failures += sm2_check.check(f"{value_path} signature", tbs.dump(), bits(stamp[3]), spki)
        # The seal inside the stamp: its picture's printed size is the StampAnnot's.
        seal = core.Sequence.load(tbs[1].dump())
        picture = core.Sequence.load(core.Sequence.load(seal[0].dump())[3].dump())
        w, h = (core.Integer.load(picture[i].dump()).native for i in (2, 3))
        annot = info.find(f"{OFD}StampAnnot")
        box = [float(v) for v in annot.get("Boundary").split()]
        report(annot.get("PageRef") in pages, f"{sig_path}: StampAnnot on page ID {annot.get('PageRef')}")
        report(abs(box[2] - w) < 0.01 and abs(box[3] - h) < 0.01,
               f"{sig_path}: StampAnnot {box[2]}x{box[3]} mm is the picture's {w}x{h} mm")
    return failures


def tamper(path, outdir):
    z = zipfile.ZipFile(path)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    parts = {i.filename: z.read(i) for i in z.infolist()}
    for info in z.infolist():
        if info.is_dir() or info.file_size == 0:
            continue
        with zipfile.ZipFile(out / f"{n}.ofd", "w", zipfile.ZIP_DEFLATED) as w:
            for name, data in parts.items():
                if name == info.filename:
                    data = bytearray(data)
                    data[len(data) // 2] ^= 0x01
                    data = bytes(data)
                w.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data,
                           compress_type=zipfile.ZIP_DEFLATED)
        (out / f"{n}.txt").write_text(info.filename)
        n += 1
    print(n)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "verify":
        sys.exit(1 if verify(sys.argv[2], sys.argv[3:]) else 0)
    elif len(sys.argv) == 4 and sys.argv[1] == "tamper":
        tamper(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
