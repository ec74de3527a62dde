"""scripts/audit_deps.py: a known vulnerability fails the run; an unanswered audit warns (fails if required)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_deps.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answers(pip: object, npm: object):  # type: ignore[no-untyped-def]
    def run(args: list[str], cwd: Path) -> tuple[int, str]:
        return (1, json.dumps(pip)) if "pip-audit" in args[0] else (1, json.dumps(npm))

    return run


CLEAN_PIP = {"dependencies": [{"name": "fastapi", "version": "1", "vulns": []}]}
CLEAN_NPM = {"metadata": {"vulnerabilities": {"critical": 0, "high": 0}}}


@pytest.mark.parametrize(
    ("pip", "npm", "required", "code"),
    [
        (CLEAN_PIP, CLEAN_NPM, False, 0),
        (
            {"dependencies": [{"name": "jinja2", "version": "2.0", "vulns": [{"id": "PYSEC-1"}]}]},
            CLEAN_NPM,
            False,
            1,
        ),
        (CLEAN_PIP, {"metadata": {"vulnerabilities": {"critical": 1}}}, False, 1),
        (CLEAN_PIP, {"metadata": {"vulnerabilities": {"critical": 0, "high": 2}}}, False, 0),
        ({"dependencies": [{"name": "x", "skip_reason": "not found"}]}, {"message": "405"}, False, 0),
        ({"dependencies": [{"name": "x", "skip_reason": "not found"}]}, {"message": "405"}, True, 1),
    ],
)
def test_the_audit_verdict(
    monkeypatch: pytest.MonkeyPatch, pip: object, npm: object, required: bool, code: int
) -> None:
    module = _load()
    monkeypatch.setattr(module, "_run", _answers(pip, npm))
    monkeypatch.setattr(module, "REQUIRED", required)
    assert module.main() == code
