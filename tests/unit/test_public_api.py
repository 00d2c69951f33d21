"""The pages use ``optlab`` through its public, documented names only."""

from __future__ import annotations

import ast
import importlib

import jupytext
import pytest

import optlab
from booktools.toc import chapter_notebooks


def imported_names(page) -> list[tuple[str, str]]:
    """``(module, name)`` for every ``from optlab... import name`` in the code cells of ``page``."""
    found = []
    for cell in jupytext.read(page).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "optlab":
                found += [(node.module, alias.name) for alias in node.names]
    return found


def documented(value) -> bool:
    """Whether ``value`` has a docstring of its own (a named tuple's generated ``Name(fields)`` is none)."""
    doc = (value.__doc__ or "").strip()
    return bool(doc) and not doc.startswith(f"{getattr(value, '__name__', '')}(")


@pytest.mark.parametrize("page", chapter_notebooks(), ids=lambda p: p.stem)
def test_pages_import_only_public_documented_names(page):
    names = imported_names(page)
    assert names, f"{page.name} imports nothing from optlab"
    for module_name, name in names:
        assert not name.startswith("_"), f"{page.name} imports the private {module_name}.{name}"
        module = importlib.import_module(module_name)
        try:  # a submodule, ``from optlab import theory``, is documented as a whole
            value = importlib.import_module(f"{module_name}.{name}")
        except ModuleNotFoundError:
            value = getattr(module, name)
            public = set(optlab.__all__) | set(getattr(module, "__all__", ()))
            assert name in public, f"{module_name}.{name} is in neither optlab.__all__ nor {module_name}.__all__"
        assert documented(value), f"{module_name}.{name} has no docstring"


def test_everything_exported_is_documented():
    undocumented = [name for name in optlab.__all__ if not documented(getattr(optlab, name))
                    and not isinstance(getattr(optlab, name), dict)]
    assert undocumented == []
