"""pyHanko signs a PDF and embeds the revocation data (CRLs given on the command line):
in an adbe-revocationInfoArchival signed attribute for adbe.pkcs7.detached, in the /DSS for
PAdES. Usage: KEY CERT CHAIN ROOT IN OUT adbe|pades CRL..."""
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder
from asn1crypto import crl as asn1crl, pem
key, cert, chain, root, inp, out, subfilter = sys.argv[1:8]
crls = []
for c in sys.argv[8:]:
    data = open(c, 'rb').read()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    crls.append(asn1crl.CertificateList.load(data))
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,), key_passphrase=None)
vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)], crls=crls, allow_fetching=False)
sf = fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED if subfilter == 'adbe' else fields.SigSeedSubFilter.PADES
meta = signers.PdfSignatureMetadata(field_name='Sig1', embed_validation_info=True, validation_context=vc, subfilter=sf)
with open(inp, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    with open(out, 'wb') as o:
        signers.sign_pdf(w, meta, signer=signer, output=o)
