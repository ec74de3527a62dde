"""The licence check: expressions judged against the allow-list, exceptions only for what never ships, and the
real dependency tree passing (the same check the test command runs)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def licenses() -> ModuleType:
    spec = importlib.util.spec_from_file_location("licenses_script", ROOT / "scripts" / "licenses.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ALLOWED = {"MIT", "Apache-2.0", "BSD", "CC0-1.0", "MPL-2.0"}


@pytest.mark.parametrize(
    ("expression", "ok"),
    [
        ("MIT", True),
        ("MIT OR GPL-3.0", True),
        ("GPL-3.0 OR MIT", True),
        ("MIT AND GPL-3.0", False),
        ("(MIT OR CC0-1.0)", True),
        ("MPL-2.0 AND (Apache-2.0 OR MIT)", True),
        ("MPL-2.0 AND (GPL-2.0 OR AGPL-3.0)", False),
        ("Apache-2.0 WITH LLVM-exception", True),
        ("GPL-2.0 WITH Classpath-exception-2.0", False),
        ("GPL-3.0", False),
        ("AGPL-3.0-only", False),
        ("SSPL-1.0", False),
        ("UNKNOWN", False),
        ("MIT OR", False),
    ],
)
def test_expressions(licenses: ModuleType, expression: str, ok: bool) -> None:
    assert licenses.satisfied(expression, ALLOWED) is ok


def test_classifier_names_become_spdx_ids(licenses: ModuleType) -> None:
    assert licenses.normalise("MIT License") == "MIT"
    assert licenses.normalise("Apache Software License; BSD License") == "Apache-2.0 OR BSD"
    assert licenses.normalise("Mozilla Public License 2.0 (MPL 2.0)") == "MPL-2.0"
    assert licenses.normalise("") == "UNKNOWN"
    assert licenses.normalise("GNU General Public License v3 (GPLv3)") == "GPL-3.0"


def test_a_copyleft_or_unknown_licence_is_refused_and_exceptions_cover_only_dev_tools(
    licenses: ModuleType,
) -> None:
    policy = {
        "allowed": ["MIT"],
        "exception": [{"ecosystem": "python", "name": "oddity", "dev_only": True, "reason": "test tool"}],
    }
    package = licenses.Package
    found = licenses.check(
        [
            package("python", "fine", "1", "MIT", False),
            package("npm", "viral", "2.0.0", "GPL-3.0", False),
            package("python", "oddity", "1", "UNKNOWN", True),
            package("npm", "oddity", "1", "UNKNOWN", True),
        ],
        policy,
    )
    assert found == ["npm viral 2.0.0: GPL-3.0 (SHIPPED)", "npm oddity 1: UNKNOWN (development only)"]
    shipped = licenses.check([package("python", "oddity", "1", "UNKNOWN", False)], policy)
    assert shipped == ["python oddity 1: UNKNOWN (SHIPPED)"]


def test_the_project_s_dependencies_pass_and_the_inventory_lists_them(licenses: ModuleType) -> None:
    policy = tomllib.loads((ROOT / "scripts" / "license_policy.toml").read_text())
    packages = licenses.python_packages() + licenses.npm_packages()
    assert licenses.check(packages, policy) == []
    names = {(p.ecosystem, p.name): p for p in packages}
    assert not names[("python", "fastapi")].dev and names[("python", "pytest")].dev
    assert ("python", "marketedge") not in names
    text = licenses.inventory(packages, policy)
    assert "| fastapi |" in text and "## Python, runtime" in text
    if (ROOT / "frontend" / "package-lock.json").is_file():
        assert any(p.ecosystem == "npm" and not p.dev for p in packages)


def test_the_project_is_mit_licensed() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
