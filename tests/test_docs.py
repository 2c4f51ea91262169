"""The examples in README.md and in the public docstrings run and print what they say."""

import doctest
import importlib
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
MODULES = [
    "cysolve._parallel",
    "cysolve.errors",
    "cysolve.xscore",
    "cysolve.xscore.solve",
    "cysolve.deadlock.matrix",
    "cysolve.deadlock.graph",
    "cysolve.bench",
    "cysolve.dask",
]


def test_readme_examples():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.attempted > 0 and result.failed == 0
