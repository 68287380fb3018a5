"""The stubs ship with the package and declare every public name."""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Set

import pytest

import revcore

PACKAGE = Path(revcore.__file__).parent


def _declared(stub: Path) -> Set[str]:
    names: Set[str] = set()
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            # only explicit re-exports (`import x as x`) are public in a stub
            names.update(a.asname for a in node.names if a.asname and a.asname == a.name.split(".")[-1])
    return names


def test_stub_declares_every_public_name() -> None:
    declared = _declared(PACKAGE / "__init__.pyi")
    missing = set(revcore.__all__) - declared
    assert not missing, f"__init__.pyi does not declare {sorted(missing)}"
    extra = declared - set(revcore.__all__) - {"__all__"}
    assert not extra, f"__init__.pyi declares names revcore does not export: {sorted(extra)}"


def test_native_stub_declares_every_native_name() -> None:
    from revcore import _native

    declared = _declared(PACKAGE / "_native.pyi") - {"__all__"}
    public = {n for n in dir(_native) if not n.startswith("_")} | {"__version__"}
    assert public == declared
    assert set(_native.__all__) == public


def test_every_public_name_exists() -> None:
    for name in revcore.__all__:
        assert hasattr(revcore, name), name


def test_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").exists()


def test_condition_stub_lists_its_methods() -> None:
    tree = ast.parse((PACKAGE / "_native.pyi").read_text(encoding="utf-8"))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Condition"]
    declared = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    public = {n for n in dir(revcore.Condition) if not n.startswith("_")}
    assert public <= declared, sorted(public - declared)


def test_stubs_match_the_runtime() -> None:
    """mypy's stubtest (the Makefile installs mypy into the test venv)."""
    pytest.importorskip("mypy.stubtest")
    allowlist = Path(__file__).with_name("stubtest_allowlist.txt")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "revcore", "--allowlist", str(allowlist)],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # the installed package, not a source tree
    )
    assert result.returncode == 0, result.stdout + result.stderr
