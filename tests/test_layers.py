"""The layers contract (pyproject.toml, docs/architecture.md) holds for the code as it is, and breaks on an import
that runs back up a layer: the check is real, not a contract that nothing could fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}  # ahead of the installed package
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "marketedge", tmp_path / "marketedge", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_code_keeps_its_layers() -> None:
    answer = _lint(ROOT / "src")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "1 kept, 0 broken" in answer.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        ("core/clock.py", "from marketedge.api import health", "marketedge.core is not allowed to import"),
        ("chain/store.py", "from marketedge.ingest import job", "marketedge.chain is not allowed to import"),
        (
            "ops/status.py",
            "from marketedge.runtime import Runtime",
            "marketedge.ops is not allowed to import",
        ),
        (
            "cache/minutes.py",
            "from marketedge.auth import users",
            "marketedge.cache is not allowed to import",
        ),
    ],
)
def test_an_import_back_up_a_layer_breaks_the_contract(
    copy_of_the_package: Path, module: str, wrong_import: str, broken: str
) -> None:
    path = copy_of_the_package / "marketedge" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{wrong_import}  # noqa\n", encoding="utf-8")
    answer = _lint(copy_of_the_package)
    assert answer.returncode != 0
    assert broken in answer.stdout, answer.stdout
