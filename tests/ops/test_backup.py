"""Backup and restore: a stored simulated morning goes out and comes back identical, table by table; the
guards (non-empty target, damaged file, wrong key, wrong kind) refuse before touching anything."""

from __future__ import annotations

import asyncio
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from marketedge.core.config import get_settings, normalise_database_url
from marketedge.core.db import Database
from marketedge.core.logs import configure_logging
from marketedge.models import AuditEvent, migrate
from marketedge.ops import backup as ops_backup
from marketedge.ops.backup import BackupError, Manifest, NotEmpty, read_manifest
from tests.ops.conftest import table_rows


def _url(plain: str) -> str:
    return normalise_database_url(plain)


async def test_a_stored_day_restores_identical_into_a_fresh_database(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    path, manifest = await ops_backup.backup(_url(stored_day), tmp_path / "day.mebackup")
    original = await table_rows(stored_day)

    assert path == tmp_path / "day.mebackup" and path.stat().st_mode & 0o777 == 0o600
    assert manifest.schema_revision == migrate.head_revision(_url(stored_day))
    assert manifest.tables == {name: len(rows) for name, rows in original.items()}
    assert manifest.tables["chain_minute"] == 15 and manifest.tables["ingest_run"] == 15
    assert manifest.tables["audit_event"] >= 5 and manifest.consistent and not manifest.encrypted
    assert read_manifest(path) == manifest

    fresh = make_empty_database()
    restored = await ops_backup.restore(_url(fresh), path)
    assert restored == manifest
    copy = await table_rows(fresh)
    assert copy.keys() == original.keys()
    for name in original:
        assert copy[name] == original[name], f"table {name} differs after the restore"

    # Sequences and autoincrement came back too: the restored database takes new rows.
    database = Database(_url(fresh))
    try:
        async with database.sessions() as session:
            event = AuditEvent(at=original["audit_event"][0][1], actor="system", action="restore.check")
            session.add(event)
            await session.commit()
            assert event.id > max(row[0] for row in original["audit_event"])
    finally:
        await database.dispose()


async def test_encrypted_backup_needs_its_key(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    key = Fernet(Fernet.generate_key())
    path, manifest = await ops_backup.backup(_url(stored_day), tmp_path / "enc.mebackup", key=key)
    assert manifest.encrypted and manifest.member.endswith(".enc")
    with tarfile.open(path) as archive:
        member = archive.extractfile(manifest.member)
        assert member is not None
        body = member.read()
    assert body.startswith(ops_backup.MAGIC)
    assert b"ops-admin@example.com" not in body and b"SQLite format" not in body and b"PGDMP" not in body

    fresh = make_empty_database()
    with pytest.raises(BackupError, match="encrypted"):
        await ops_backup.restore(_url(fresh), path)
    with pytest.raises(BackupError, match="key does not open"):
        await ops_backup.restore(_url(fresh), path, key=Fernet(Fernet.generate_key()))
    await ops_backup.restore(_url(fresh), path, key=key)
    assert await table_rows(fresh) == await table_rows(stored_day)


async def test_a_non_empty_database_is_refused_unless_forced(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    path, _ = await ops_backup.backup(_url(stored_day), tmp_path)  # a directory: a timestamped file inside
    assert path.parent == tmp_path and path.name.startswith("marketedge-") and path.suffix == ".mebackup"

    # A migrated database with a row of its own.
    target = make_empty_database()
    await asyncio.to_thread(migrate.upgrade, _url(target))
    database = Database(_url(target))
    try:
        async with database.sessions() as session:
            session.add(AuditEvent(at=read_manifest_time(path), actor="someone", action="precious"))
            await session.commit()
    finally:
        await database.dispose()
    before = await table_rows(target)

    with pytest.raises(NotEmpty, match="not empty"):
        await ops_backup.restore(_url(target), path)
    assert await table_rows(target) == before  # untouched

    await ops_backup.restore(_url(target), path, force=True)
    assert await table_rows(target) == await table_rows(stored_day)


async def test_a_migrated_but_empty_database_takes_the_restore(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    path, _ = await ops_backup.backup(_url(stored_day), tmp_path / "b.mebackup")
    target = make_empty_database()
    await asyncio.to_thread(
        migrate.upgrade, _url(target)
    )  # e.g. the app started once against the new database
    await ops_backup.restore(_url(target), path)
    assert await table_rows(target) == await table_rows(stored_day)


async def test_a_damaged_backup_is_refused_before_the_target_is_touched(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    path, manifest = await ops_backup.backup(_url(stored_day), tmp_path / "d.mebackup")
    with tarfile.open(path) as archive:
        member = archive.getmember(manifest.member)
    raw = bytearray(path.read_bytes())
    raw[member.offset_data + member.size // 2] ^= 0xFF  # one flipped bit pattern in the middle of the dump
    damaged = tmp_path / "damaged.mebackup"
    damaged.write_bytes(bytes(raw))
    fresh = make_empty_database()
    with pytest.raises(BackupError, match=r"checksum|damaged"):
        await ops_backup.restore(_url(fresh), damaged)
    assert await ops_backup._existing_rows(_url(fresh)) == (0, 0)

    with pytest.raises(BackupError, match="not a Market Edge backup"):
        notes = tmp_path / "notes.txt"
        notes.write_text("hello")
        await ops_backup.restore(_url(fresh), notes)
    assert manifest.size_bytes > 0


async def test_a_backup_of_one_kind_does_not_restore_into_the_other(stored_day: str, tmp_path: Path) -> None:
    path, manifest = await ops_backup.backup(_url(stored_day), tmp_path / "k.mebackup")
    other = (
        "postgresql+asyncpg://nobody@127.0.0.1:1/none"
        if manifest.database == "sqlite"
        else f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    )
    with pytest.raises(BackupError, match="backup; DATABASE_URL points at"):
        await ops_backup.restore(other, path)


def test_chunked_encryption_detects_reordering_and_truncation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops_backup, "CHUNK", 10)
    key = Fernet(Fernet.generate_key())
    plain = tmp_path / "plain"
    plain.write_bytes(bytes(range(256)) * 3)
    sealed, opened = tmp_path / "sealed", tmp_path / "opened"
    ops_backup.encrypt_file(key, plain, sealed)
    ops_backup.decrypt_file(key, sealed, opened)
    assert opened.read_bytes() == plain.read_bytes()

    records = _records(sealed.read_bytes())
    assert len(records) == 77
    swapped = ops_backup.MAGIC + records[1] + records[0] + b"".join(records[2:])
    cut = ops_backup.MAGIC + b"".join(records[:-1])
    for bad, message in ((swapped, "out of order"), (cut, "cut short")):
        sealed.write_bytes(bad)
        with pytest.raises(BackupError, match=message):
            ops_backup.decrypt_file(key, sealed, opened)

    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    ops_backup.encrypt_file(key, empty, sealed)
    ops_backup.decrypt_file(key, sealed, opened)
    assert opened.read_bytes() == b""


def test_the_commands_back_up_and_restore(
    stored_day: str, make_empty_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketedge.cli import app

    key_file = tmp_path / "backup.key"
    key_file.write_bytes(Fernet.generate_key())
    runner = CliRunner()
    monkeypatch.setenv("MARKETEDGE_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", stored_day)
    get_settings.cache_clear()
    done = runner.invoke(app, ["backup", "--output", f"{tmp_path}/out/", "--encrypt-key-file", str(key_file)])
    assert done.exit_code == 0, done.output
    written = next((tmp_path / "out").glob("*.mebackup"))
    assert "chain_minute" in done.output and str(written) in done.output

    target = make_empty_database()
    monkeypatch.setenv("DATABASE_URL", target)
    get_settings.cache_clear()
    done = runner.invoke(app, ["restore", "--input", str(written)])
    assert done.exit_code == 2 and "encrypted" in done.output
    done = runner.invoke(app, ["restore", "--input", str(written), "--encrypt-key-file", str(key_file)])
    assert done.exit_code == 0, done.output
    assert "restored" in done.output
    done = runner.invoke(app, ["restore", "--input", str(written), "--encrypt-key-file", str(key_file)])
    assert done.exit_code == 1 and "--force" in done.output
    get_settings.cache_clear()
    configure_logging("INFO", "json")  # the commands set up console logging for the whole process: undo it


def read_manifest_time(path: Path):  # type: ignore[no-untyped-def]
    from datetime import datetime

    manifest: Manifest = read_manifest(path)
    return datetime.fromisoformat(manifest.created_at)


def _records(body: bytes) -> list[bytes]:
    out, at = [], len(ops_backup.MAGIC)
    while at < len(body):
        (length,) = ops_backup._RECORD.unpack_from(body, at)
        out.append(body[at : at + 4 + length])
        at += 4 + length
    return out
