"""pyHanko's CSC signer (pyhanko.sign.signers.csc_signer) signs a PDF through a CSC API
v1.0.4.0 service (seal serve): it logs in with HTTP Basic at auth/login, reads the
credential (credentials/info), and authorises each signature with the PIN for its hash
(credentials/authorize) before signatures/signHash.
Usage: BASE_URL CREDENTIAL IN OUT   (the account, password and PIN in CSC_USER, CSC_PASSWORD,
CSC_PIN)."""
import asyncio
import base64
import os
import sys
from datetime import datetime, timedelta, timezone

import aiohttp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers import csc_signer

base, credential, inp, out = sys.argv[1:5]


class PinAuthorization(csc_signer.CSCAuthorizationManager):
    """Authorises each batch of hashes with the PIN, as SCAL 2 services require."""

    def __init__(self, session, info, cred_info):
        super().__init__(info, cred_info)
        self.session = session

    async def authorize_signature(self, hash_b64s):
        body = self.format_csc_auth_request(pin=os.environ["CSC_PIN"], hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, json=body, headers=self.auth_headers) as r:
            r.raise_for_status()
            return self.parse_csc_auth_response(await r.json())


async def main():
    async with aiohttp.ClientSession() as session:
        basic = base64.b64encode(
            f"{os.environ['CSC_USER']}:{os.environ['CSC_PASSWORD']}".encode()).decode()
        async with session.post(f"{base}/csc/v1/auth/login", json={},
                                headers={"Authorization": f"Basic {basic}"}) as r:
            r.raise_for_status()
            token = (await r.json())["access_token"]
        info = csc_signer.CSCServiceSessionInfo(base, credential, oauth_token=token)
        cred_info = await csc_signer.fetch_certs_in_csc_credential(session, info)
        signer = csc_signer.CSCSigner(session, PinAuthorization(session, info, cred_info))
        meta = signers.PdfSignatureMetadata(field_name="CSC1")
        with open(inp, "rb") as f:
            w = IncrementalPdfFileWriter(f)
            with open(out, "wb") as o:
                await signers.async_sign_pdf(w, meta, signer=signer, output=o)


asyncio.run(main())
