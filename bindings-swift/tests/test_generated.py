"""generate.sh laid out the Swift package: the Swift API, the C header and its module map, in
the places Package.swift names; and the Python module the other tests import."""

import re
import shutil
import subprocess

import pytest

from conftest import GENERATED_PYTHON, PACKAGE

SWIFT = PACKAGE / "Sources" / "Revcore" / "revcore_swift.swift"
FFI = PACKAGE / "Sources" / "revcore_swiftFFI"
HEADER = FFI / "revcore_swiftFFI.h"
MODULEMAP = FFI / "module.modulemap"


def test_swift_sources_exist_and_declare_the_api():
    swift = SWIFT.read_text(encoding="utf-8")
    assert "import revcore_swiftFFI" in swift
    for declaration in [
        "public func version() -> String",
        "public func kinds() -> [String]",
        "public func validate(kind: String, json: String, pipelineJson: String? = nil)",
        "public func normalize(kind: String, json: String, pipelineJson: String? = nil)",
        "public func schema(kind: String)",
        "public func defaultPipeline() -> String",
        "public func classifyStage(label: String, pipelineJson: String? = nil)",
        "public func sampleGenerate(optionsJson: String? = nil)",
        "open class Condition",
        "public convenience init(specJson: String)",
        "open func matches(recordJson: String)",
        "open func explain(recordJson: String)",
        "open func toJson() -> String",
        "open func fields() -> [String]",
        "open class Router",
        "public convenience init(configJson: String, repsJson: String, accountsJson: String? = nil, stateJson: String? = nil)",
        "open func route(leadJson: String, now: String)",
        "open func routeBatch(leadsJson: String, now: String)",
        "open func preview(leadJson: String, now: String)",
        "open func state() -> String",
        "public func simulate(configJson: String, repsJson: String, leadsJson: String, accountsJson: String? = nil)",
        "public struct Problem",
        "enum RevcoreError: Swift.Error",
    ]:
        assert declaration in swift, declaration
    for variant in ["Parse", "Validation", "InvalidConfig", "NotFound", "Conflict"]:
        assert re.search(rf"case {variant}\(code: String, message: String, errors: \[Problem\]", swift)


def test_header_declares_the_ffi_functions():
    header = HEADER.read_text(encoding="utf-8")
    for symbol in [
        "uniffi_revcore_swift_fn_func_validate",
        "uniffi_revcore_swift_fn_constructor_condition_new",
        "uniffi_revcore_swift_fn_method_condition_matches",
        "uniffi_revcore_swift_fn_constructor_router_new",
        "uniffi_revcore_swift_fn_method_router_route_batch",
        "uniffi_revcore_swift_fn_func_simulate",
    ]:
        assert symbol in header, symbol


def test_modulemap_names_the_ffi_module_and_its_header():
    modulemap = MODULEMAP.read_text(encoding="utf-8")
    assert re.search(r"^module revcore_swiftFFI \{", modulemap, re.M)
    assert 'header "revcore_swiftFFI.h"' in modulemap


def test_package_swift_points_at_the_generated_sources():
    manifest = (PACKAGE / "Package.swift").read_text(encoding="utf-8")
    assert manifest.startswith("// swift-tools-version:5.9")
    assert '.systemLibrary(name: "revcore_swiftFFI", path: "Sources/revcore_swiftFFI")' in manifest
    assert 'path: "Sources/Revcore"' in manifest
    assert '.linkedLibrary("revcore_swift")' in manifest


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_header_is_valid_c():
    # The nullability qualifiers are clang's; any other C compiler reads them as nothing.
    defines = ["-D_Nonnull=", "-D_Nullable="]
    subprocess.run(["cc", "-fsyntax-only", *defines, "-x", "c", str(HEADER)], check=True)


def test_python_module_has_the_library_beside_it():
    assert (GENERATED_PYTHON / "revcore_swift.py").is_file()
    assert any(GENERATED_PYTHON.glob("librevcore_swift.*"))
