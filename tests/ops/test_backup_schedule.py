"""The scheduled backups (.github/workflows/backup.yml): the workflow parses and runs after the session and
monthly for the drill, and the scripts its steps run do, against PostgreSQL, what they say: an encrypted
backup kept among the newest N, and a restore into a scratch database whose every table matches."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import text

from marketedge.core.config import normalise_database_url
from marketedge.core.db import make_engine
from marketedge.models import migrate
from marketedge.ops.backup import read_manifest
from tests.conftest import drop_postgres_database, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "backup.yml"
MARKETEDGE = str(ROOT / ".venv" / "bin" / "marketedge")


def test_the_workflow_backs_up_after_the_session_and_drills_monthly() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    crons = [entry["cron"] for entry in workflow[True]["schedule"]]  # YAML reads the key `on` as True
    assert crons == ["30 11 * * 1-5", "0 5 1 * *"]  # 17:00 IST on weekdays; the 1st of each month
    assert "workflow_dispatch" in workflow[True]
    backup, drill = workflow["jobs"]["backup"], workflow["jobs"]["drill"]
    runs = [step.get("run", "") for step in backup["steps"]]
    assert any(run.strip() == "scripts/backup/nightly" for run in runs)
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in backup["steps"])
    assert any(step.get("run", "").strip() == "scripts/backup/drill" for step in drill["steps"])
    assert drill["services"]["scratch"]["image"].startswith("postgres:")
    secrets = WORKFLOW.read_text()
    assert "secrets.DATABASE_URL" in secrets and "secrets.BACKUP_KEY" in secrets
    for script in ("nightly", "drill"):
        assert os.access(ROOT / "scripts" / "backup" / script, os.X_OK)


@pytest.fixture
def databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """(production stand-in with rows, empty scratch) on the test PostgreSQL server."""
    made = [fresh_postgres_database(postgres_url) for _ in range(2)]
    (source, _), (scratch, _) = made
    migrate.upgrade(normalise_database_url(source))

    async def fill() -> None:
        engine = make_engine(normalise_database_url(source))
        async with engine.begin() as conn:
            for i in range(25):
                await conn.execute(
                    text("INSERT INTO audit_event (at, actor, action) VALUES (now(), :actor, 'backup.test')"),
                    {"actor": f"ops{i}@example.com"},
                )
        await engine.dispose()

    asyncio.run(fill())
    try:
        yield source, scratch
    finally:
        for _, name in made:
            drop_postgres_database(postgres_url, name)


def _run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "backup" / script)],
        env={**os.environ, "MARKETEDGE": MARKETEDGE, "LOG_LEVEL": "WARNING", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_scripts_back_up_keep_the_newest_and_restore_to_matching_rows(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, scratch = databases
    key = Fernet.generate_key().decode()
    folder = tmp_path / "backups"
    for _ in range(3):
        made = _run(
            "nightly",
            {"DATABASE_URL": source, "BACKUP_KEY": key, "BACKUP_DIR": str(folder), "BACKUP_KEEP": "2"},
        )
        assert made.returncode == 0, made.stderr
    kept = sorted(folder.glob("*.mebackup"))
    assert len(kept) == 2, kept  # the oldest of three went
    manifest = read_manifest(kept[-1])
    assert manifest.encrypted and manifest.tables["audit_event"] == 25
    assert b"backup.test" not in kept[-1].read_bytes()  # nothing readable without the key

    drilled = _run("drill", {"SCRATCH_DATABASE_URL": scratch, "BACKUP_KEY": key, "BACKUP_DIR": str(folder)})
    assert drilled.returncode == 0, drilled.stderr
    assert "every table's rows match the manifest" in drilled.stdout

    # A second drill into the now filled scratch database refuses, and so does a wrong key.
    again = _run("drill", {"SCRATCH_DATABASE_URL": scratch, "BACKUP_KEY": key, "BACKUP_DIR": str(folder)})
    assert again.returncode != 0 and "not empty" in again.stderr
    wrong = _run(
        "drill",
        {
            "SCRATCH_DATABASE_URL": scratch,
            "BACKUP_KEY": Fernet.generate_key().decode(),
            "BACKUP_DIR": str(folder),
        },
    )
    assert wrong.returncode != 0
    unset = _run("nightly", {"DATABASE_URL": source, "BACKUP_KEY": "", "BACKUP_DIR": str(folder)})
    assert unset.returncode != 0 and "Fernet key" in unset.stderr
