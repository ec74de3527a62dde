"""The licence of every Python and npm dependency, checked against scripts/license_policy.toml.

    .venv/bin/python scripts/licenses.py           # check (the test command runs this); exit 1 on a refusal
    .venv/bin/python scripts/licenses.py --write    # also regenerate docs/third-party-licenses.md

Python licences come from `pip-licenses` over the project's virtual environment (classifiers and the licence
field, or the PEP 639 expression); whether a package ships (runtime) or only serves development is found by
walking marketedge's own requirements without extras. npm licences come from frontend/package-lock.json, whose
entries record each package's licence and whether it is a development dependency.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "scripts" / "license_policy.toml"
INVENTORY = ROOT / "docs" / "third-party-licenses.md"
PROJECT = "marketedge"

# Classifier and free-text names as packages write them → SPDX ids.
ALIASES = {
    "mit license": "MIT",
    "mit": "MIT",
    "apache software license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "bsd license": "BSD",
    "bsd": "BSD",
    "new bsd license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "python software foundation license": "PSF-2.0",
    "isc license (iscl)": "ISC",
    "isc license": "ISC",
    "academic free license (afl)": "AFL",
    "the unlicense (unlicense)": "Unlicense",
    "public domain": "Public-Domain",
    "gnu general public license v3 (gplv3)": "GPL-3.0",
    "gnu general public license v2 (gplv2)": "GPL-2.0",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0",
}


@dataclass(frozen=True)
class Package:
    ecosystem: str  # python, npm
    name: str
    version: str
    licence: str  # as declared (normalised to SPDX where a name was recognised)
    dev: bool  # only for development and tests: never shipped


# -- licence expressions ----------------------------------------------------------------------------------------


def normalise(declared: str) -> str:
    """An SPDX-like expression from what a package declares ("; " between classifiers means either)."""
    declared = declared.strip()
    if not declared or declared.upper() == "UNKNOWN":
        return "UNKNOWN"
    parts = [p.strip() for p in declared.split(";") if p.strip()]
    names = [ALIASES.get(p.lower(), p) for p in parts]
    return " OR ".join(f"({n})" if " " in n else n for n in names) if len(names) > 1 else names[0]


_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def satisfied(expression: str, allowed: set[str]) -> bool:
    """True when the allowed ids satisfy the expression (OR: one side; AND: both; WITH: its base licence)."""
    tokens = _TOKEN.findall(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def either() -> bool:
        result = both()
        while peek() is not None and peek().upper() == "OR":  # type: ignore[union-attr]
            take()
            result = both() or result
        return result

    def both() -> bool:
        result = single()
        while peek() is not None and peek().upper() == "AND":  # type: ignore[union-attr]
            take()
            result = single() and result
        return result

    def single() -> bool:
        token = take()
        if token == "(":  # noqa: S105 (a parenthesis, not a password)
            inner = either()
            if peek() == ")":
                take()
            return inner
        if peek() is not None and peek().upper() == "WITH":  # type: ignore[union-attr]
            take()
            take()
        return ALIASES.get(token.lower(), token).removesuffix("+") in allowed

    try:
        return either() and position == len(tokens)
    except IndexError:
        return False


# -- Python -----------------------------------------------------------------------------------------------------


def runtime_python() -> set[str]:
    """marketedge's requirements without extras, and theirs, as canonical names."""
    seen: set[str] = set()
    stack = [PROJECT]
    while stack:
        name = stack.pop()
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            found = canonicalize_name(requirement.name)
            if found not in seen:
                seen.add(found)
                stack.append(requirement.name)
    return seen


def python_packages() -> list[Package]:
    tool = Path(sys.executable).with_name("pip-licenses")
    done = subprocess.run(  # noqa: S603  (a fixed command)
        [str(tool), "--from=mixed", "--format=json", "--with-system", f"--python={sys.executable}"],
        capture_output=True,
        text=True,
        check=True,
    )
    runtime = runtime_python()
    return [
        Package(
            "python",
            p["Name"],
            p["Version"],
            normalise(p["License"]),
            canonicalize_name(p["Name"]) not in runtime,
        )
        for p in json.loads(done.stdout)
        if canonicalize_name(p["Name"]) != PROJECT
    ]


# -- npm --------------------------------------------------------------------------------------------------------


def npm_packages() -> list[Package]:
    lock_path = ROOT / "frontend" / "package-lock.json"
    if not lock_path.is_file():
        return []
    lock = json.loads(lock_path.read_text())
    found: dict[tuple[str, str], Package] = {}
    for path, entry in lock.get("packages", {}).items():
        if not path or entry.get("link") or "node_modules/" not in path:
            continue
        name = entry.get("name") or path.rsplit("node_modules/", 1)[1]
        declared = entry.get("license")
        if isinstance(declared, dict):  # the old {"type": …} form
            declared = declared.get("type")
        licence = normalise(str(declared)) if declared else "UNKNOWN"
        dev = bool(entry.get("dev") or entry.get("devOptional"))
        key = (name, entry.get("version", "?"))
        if key not in found or (found[key].dev and not dev):
            found[key] = Package("npm", name, key[1], licence, dev)
    return list(found.values())


# -- the check and the inventory --------------------------------------------------------------------------------


def check(packages: list[Package], policy: dict[str, object]) -> list[str]:
    allowed = set(policy["allowed"])  # type: ignore[arg-type]
    exceptions = {(e["ecosystem"], e["name"]): e for e in policy.get("exception", [])}  # type: ignore[attr-defined]
    refusals = []
    for package in packages:
        if satisfied(package.licence, allowed):
            continue
        exception = exceptions.get((package.ecosystem, package.name))
        if exception is not None and (package.dev or not exception.get("dev_only", True)):
            continue
        where = "development only" if package.dev else "SHIPPED"
        refusals.append(f"{package.ecosystem} {package.name} {package.version}: {package.licence} ({where})")
    return refusals


def inventory(packages: list[Package], policy: dict[str, object]) -> str:
    lines = [
        "# Third-party licences",
        "",
        "Generated by `.venv/bin/python scripts/licenses.py --write` from the locked dependencies (Python: the",
        "project's virtual environment through pip-licenses; npm: frontend/package-lock.json). The test command",
        "checks every entry against the allow-list in `scripts/license_policy.toml`. *Runtime* packages ship",
        "with the service or in the UI bundle; *development* packages only build and test it.",
        "",
        "| ecosystem | runtime | development |",
        "|---|---|---|",
    ]
    for ecosystem in ("python", "npm"):
        mine = [p for p in packages if p.ecosystem == ecosystem]
        lines.append(f"| {ecosystem} | {sum(not p.dev for p in mine)} | {sum(p.dev for p in mine)} |")
    exceptions = policy.get("exception", [])
    if exceptions:
        lines += ["", "Accepted exceptions:", ""]
        lines += [f"- {e['ecosystem']} `{e['name']}`: {e['reason']}" for e in exceptions]  # type: ignore[attr-defined]
    for ecosystem, title in (("python", "Python"), ("npm", "npm (the UI)")):
        for dev, kind in ((False, "runtime"), (True, "development")):
            rows = sorted(
                (p for p in packages if p.ecosystem == ecosystem and p.dev == dev),
                key=lambda p: p.name.lower(),
            )
            if not rows:
                continue
            lines += [
                "",
                f"## {title}, {kind} ({len(rows)})",
                "",
                "| package | version | licence |",
                "|---|---|---|",
            ]
            lines += [f"| {p.name} | {p.version} | {p.licence} |" for p in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    policy = tomllib.loads(POLICY.read_text())
    packages = python_packages() + npm_packages()
    text = inventory(packages, policy)
    if "--write" in argv:
        INVENTORY.write_text(text)
        print(f"licences: wrote {INVENTORY.relative_to(ROOT)}")
    elif not INVENTORY.is_file() or INVENTORY.read_text() != text:
        print("licences: docs/third-party-licenses.md is out of date: run scripts/licenses.py --write")
    refusals = check(packages, policy)
    for line in refusals:
        print(f"licences: not on the allow-list: {line}")
    python = sum(p.ecosystem == "python" for p in packages)
    print(
        f"licences: {python} Python and {len(packages) - python} npm packages checked, {len(refusals)} refused"
    )
    return 1 if refusals else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
