"""The referee for vectors/realworld: pyHanko's validator, run on every signed PDF here.

Writes FILE.expect.json beside each PDF: for every signature field, what pyHanko says of it
(intact, valid, coverage, modification level), with no trust anchors (the cryptographic
verdict, not trust). seal-core/tests/realworld.rs compares seal's verdict with these.
Run it again after adding a file:  .venv/bin/python vectors/realworld/referee.py
A sidecar's "seal_differs" member (kept across runs) says where seal differs on purpose.
"""
import json
import logging
import pathlib
import sys
import warnings

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

logging.disable(logging.CRITICAL)
warnings.filterwarnings("ignore")

here = pathlib.Path(__file__).parent
files = sorted(here.rglob("*.pdf")) if len(sys.argv) < 2 else [pathlib.Path(a) for a in sys.argv[1:]]
for path in files:
    sidecar = path.with_name(path.name + ".expect.json")
    old = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    sigs = []
    try:
        with open(path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            for s in reader.embedded_signatures:
                entry = {"field": s.field_name}
                try:
                    st = validate_pdf_signature(s, ValidationContext(allow_fetching=False))
                    entry.update(
                        intact=bool(st.intact),
                        valid=bool(st.valid),
                        coverage=st.coverage.name if st.coverage else None,
                        modification_level=st.modification_level.name if st.modification_level else None,
                        docmdp_ok=st.docmdp_ok,
                    )
                except Exception as e:  # pyHanko cannot validate it at all
                    entry["error"] = f"{type(e).__name__}: {str(e)[:200]}"
                sigs.append(entry)
        result = {"pyhanko": sigs}
    except Exception as e:
        result = {"pyhanko_error": f"{type(e).__name__}: {str(e)[:200]}"}
    if "seal_differs" in old:
        result["seal_differs"] = old["seal_differs"]
    sidecar.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(path.relative_to(here), json.dumps(result)[:160])
