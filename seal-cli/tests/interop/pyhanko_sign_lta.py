"""pyHanko signs a PDF at PAdES B-LT or B-LTA, timestamped by a TSA over HTTP (seal's, on
127.0.0.1), embedding the validation data it collects from the CRLs given (no fetching).
Usage: KEY CERT CHAIN ROOT TSA_URL b-lt|b-lta IN OUT CRL..."""
import sys
from asn1crypto import crl as asn1crl, pem
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator import ValidationContext

key, cert, chain, root, url, level, inp, out = sys.argv[1:9]
crls = []
for c in sys.argv[9:]:
    data = open(c, 'rb').read()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    crls.append(asn1crl.CertificateList.load(data))
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,), key_passphrase=None)
vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)], crls=crls, allow_fetching=False)
meta = signers.PdfSignatureMetadata(
    field_name='Sig1',
    subfilter=fields.SigSeedSubFilter.PADES,
    embed_validation_info=True,
    use_pades_lta=(level == 'b-lta'),
    validation_context=vc,
)
with open(inp, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    with open(out, 'wb') as o:
        signers.sign_pdf(w, meta, signer=signer, timestamper=timestamps.HTTPTimeStamper(url), output=o)
