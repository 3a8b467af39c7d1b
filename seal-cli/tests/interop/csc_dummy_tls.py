"""certomancer-csc-dummy over HTTPS: the same CSC service as `python -m csc_dummy`, behind
TLS with the given server certificate, on 127.0.0.1.
Usage: CONFIG PORT CERT KEY"""
import ssl
import sys

from aiohttp import web
from certomancer import registry
from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

config, port, cert, key = sys.argv[1:5]
service = CSCWithCertomancer(
    registry.CertomancerConfig.from_file(config),
    service_params=DummyServiceParams(hash_pinning_required=True),
)
service.register_routes()
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
web.run_app(service.app, host="127.0.0.1", port=int(port), ssl_context=context, print=None)
