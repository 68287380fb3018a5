"""Makes the uniffi-generated Python module importable as `revcore_swift`.

The module and the library beside it are written by `bash bindings-swift/generate.sh`
(`make swift-test` runs it first); these tests exercise the uniffi layer the Swift package
uses, through the Python bindings uniffi generates from the same library.
"""

import pathlib
import sys

PACKAGE = pathlib.Path(__file__).resolve().parent.parent
GENERATED_PYTHON = PACKAGE / "generated" / "python"
REPO = PACKAGE.parent
VECTORS = REPO / "tests" / "vectors"

if not (GENERATED_PYTHON / "revcore_swift.py").exists():
    raise RuntimeError(
        f"{GENERATED_PYTHON}/revcore_swift.py is missing: run `bash bindings-swift/generate.sh`"
    )
sys.path.insert(0, str(GENERATED_PYTHON))
