"""``tests/typing/usage.py`` (type-checked by ``nox -s types``) uses every public name of the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _target import FORK

USAGE = Path(__file__).parent / "typing" / "usage.py"


@pytest.mark.skipif(FORK, reason="the typed usage file is about the openai-background package's public names")
def test_the_typed_usage_file_imports_every_public_name() -> None:
    import openai_background

    tree = ast.parse(USAGE.read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "openai_background"
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    public = set(openai_background.__all__)
    assert public - imported == set(), "add these to tests/typing/usage.py and use them there"
    assert public - used == set(), "imported in tests/typing/usage.py but never used"
