"""Known-vulnerability audit of the locked dependencies: pip-audit over constraints.txt and
`npm audit --omit=dev` in frontend/. A known vulnerability fails (any for Python, whose advisories carry no
severity; critical for npm). When the advisory service cannot be reached at all, it says so loudly and
passes, unless AUDIT_REQUIRED=true (then an unanswered audit fails too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("AUDIT_REQUIRED", "").lower() in ("1", "true", "yes")


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603  (fixed commands)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 255, f'{{"error": "{type(exc).__name__}"}}'
    return done.returncode, done.stdout


def python_audit() -> str:
    """'ok', 'vulnerable' or 'unavailable'."""
    code, out = _run(
        [
            str(ROOT / ".venv" / "bin" / "pip-audit"),
            "-r",
            "constraints.txt",
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "-f",
            "json",
        ],
        ROOT,
    )
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        print(f"pip-audit: no report (exit {code})")
        return "unavailable"
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    audited = [d for d in deps if "skip_reason" not in d]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"pip-audit: {dep['name']} {dep.get('version')}: {ids}")
    if vulnerable:
        return "vulnerable"
    if not audited:
        print(f"pip-audit: the advisory service answered for none of {len(deps)} packages")
        return "unavailable"
    print(
        f"pip-audit: {len(audited)} packages, no known vulnerability ({len(deps) - len(audited)} not found)"
    )
    return "ok"


def npm_audit() -> str:
    frontend = ROOT / "frontend"
    if not (frontend / "package-lock.json").is_file():
        return "ok"
    code, out = _run(["npm", "audit", "--omit=dev", "--json"], frontend)
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        print(f"npm audit: no report (exit {code})")
        return "unavailable"
    counts = report.get("metadata", {}).get("vulnerabilities")
    if counts is None:
        print(f"npm audit: no answer from the registry ({report.get('message') or report.get('error')})")
        return "unavailable"
    print(f"npm audit: {counts}")
    return "vulnerable" if counts.get("critical", 0) else "ok"


def main() -> int:
    results = {"python": python_audit(), "npm": npm_audit()}
    if "vulnerable" in results.values():
        print(f"dependency audit FAILED: {results}")
        return 1
    if "unavailable" in results.values():
        print(f"WARNING: dependency audit incomplete, the advisory service did not answer: {results}")
        return 1 if REQUIRED else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
