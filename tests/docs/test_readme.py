"""Runs every ```python block of README.md, so the README's Python example stays true."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_example():
    assert python_blocks()


def test_readme_python_examples_run(capsys):
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "True" in out and "False" in out
    assert "validation close_date close_before_create" in out
    assert "rep-0020 terr-asia 2026-03-16T08:31:05Z" in out
    assert "['owner_id', 'close_date:quarter'] None" in out
