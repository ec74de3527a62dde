"""Runs the textbook examples in the greeks docstrings, without relying on pytest's doctest options."""

import doctest
import importlib

import pytest

MODULES_WITH_EXAMPLES = [
    "marketedge.greeks.bsm",
    "marketedge.greeks.black76",
    "marketedge.greeks.forward",
    "marketedge.greeks.units",
]


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} lost its examples"
    assert result.failed == 0
