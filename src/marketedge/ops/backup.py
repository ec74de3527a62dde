"""Backups and restores of the whole database: one file that holds a manifest and the dump.

The manifest is never encrypted, so a backup says what it is without its key. The optional encryption works
in chunks, so a large dump never sits in memory, and binds each chunk to its place, so none can be reordered,
dropped or cut short unnoticed. A restore checks every checksum before it touches the target, goes only into
an empty database unless forced, and compares every table's rows with the manifest afterwards
(docs/operations.md, "Backups", "How").
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import structlog
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import make_url

from marketedge import __version__
from marketedge.core import clock
from marketedge.core.db import make_engine

log = structlog.get_logger(__name__)

FORMAT = 1
SUFFIX = ".mebackup"
MANIFEST = "manifest.json"
MAGIC = b"MEBACKUP-FERNET-1\n"
CHUNK = 4 * 1024 * 1024
_RECORD = struct.Struct(">I")
_HEAD = struct.Struct(">QB")
DatabaseKind = Literal["postgresql", "sqlite"]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


class NotEmpty(BackupError):
    """The restore target holds data (and --force was not given)."""


@dataclass
class Manifest:
    created_at: str
    app_version: str
    database: DatabaseKind
    schema_revision: str | None
    tables: dict[str, int]
    member: str
    size_bytes: int
    sha256: str  # of the member as stored (encrypted or not)
    plain_sha256: str  # of the dump itself
    encrypted: bool
    tool: str
    consistent: bool  # the row counts come from the same snapshot as the dump
    format: int = FORMAT
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise BackupError(
                f"backup format {data.get('format')!r} is not one this version reads ({FORMAT})"
            )
        return cls(**data)


# -- keys and encryption -----------------------------------------------------------------------------------------


def read_key(path: Path) -> Fernet:
    """A Fernet key from a file (make one: python -c 'from cryptography.fernet import Fernet;
    print(Fernet.generate_key().decode())' > backup.key)."""
    try:
        raw = path.read_bytes().strip()
    except OSError as exc:
        raise BackupError(f"cannot read the key file {path}: {exc.strerror}") from None
    try:
        return Fernet(raw)
    except (ValueError, TypeError):
        raise BackupError(f"{path} does not hold a Fernet key (32 url-safe base64 bytes)") from None


def encrypt_file(fernet: Fernet, source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as out:
        out.write(MAGIC)
        index = 0
        chunk = src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            token = fernet.encrypt(_HEAD.pack(index, 0 if following else 1) + chunk)
            out.write(_RECORD.pack(len(token)) + token)
            if not following:
                return
            chunk, index = following, index + 1


def decrypt_file(fernet: Fernet, source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("the dump is not in the encrypted format this version writes")
        index = 0
        while True:
            head = src.read(_RECORD.size)
            if len(head) < _RECORD.size:
                raise BackupError("the encrypted dump is cut short (its last chunk is missing)")
            (length,) = _RECORD.unpack(head)
            token = src.read(length)
            try:
                plain = fernet.decrypt(token)
            except InvalidToken:
                raise BackupError(
                    "the key does not open this backup (wrong key, or the file was altered)"
                ) from None
            got, last = _HEAD.unpack_from(plain)
            if got != index:
                raise BackupError("the encrypted dump's chunks are out of order")
            out.write(plain[_HEAD.size :])
            if last:
                if src.read(1):
                    raise BackupError("the encrypted dump has data after its last chunk")
                return
            index += 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the database side ---------------------------------------------------------------------------------------------


def database_kind(database_url: str) -> DatabaseKind:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(name)


def libpq_env(database_url: str) -> dict[str, str]:
    """The connection as libpq environment variables: the password never appears on a command line."""
    url = make_url(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        pairs["PGSSLMODE"] = {"true": "require", "false": "disable"}.get(ssl, ssl)
    env.update({k: v for k, v in pairs.items() if v})
    return env


async def _counts_and_revision(conn: Any) -> tuple[dict[str, int], str | None]:
    def names(sync_conn: Any) -> list[str]:
        return sorted(inspect(sync_conn).get_table_names())

    tables = await conn.run_sync(names)
    counts = {
        name: int((await conn.execute(select(func.count()).select_from(table(name)))).scalar_one())
        for name in tables
    }
    revision = None
    if "alembic_version" in tables:
        revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    return counts, revision


async def table_counts(database_url: str) -> dict[str, int]:
    """Rows per table (every table, alembic_version included)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await _counts_and_revision(conn))[0]
    finally:
        await engine.dispose()


async def _run(*args: str, env: dict[str, str] | None = None) -> str:
    try:
        process = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
        )
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} not found: install the PostgreSQL client tools (postgresql-client)"
        ) from None
    out, err = await process.communicate()
    if process.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {message[-1] if message else process.returncode}")
    return out.decode(errors="replace")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (postgresql-client)")
    return found


def _major(version_text: str) -> int:
    match = re.search(r"PostgreSQL\)\s*(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not match:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(match.group(1))


async def _check_tool_version(tool: str, conn: Any) -> str:
    """pg_dump and pg_restore refuse servers newer than themselves: say so before starting."""
    version = (await _run(tool, "--version")).strip()
    server = int((await conn.execute(text("SHOW server_version_num"))).scalar_one()) // 10000
    if _major(version) < server:
        raise BackupError(
            f"{version} is older than the server (PostgreSQL {server}): install postgresql-client-{server}"
        )
    return version


async def _dump_postgres(database_url: str, target: Path) -> tuple[dict[str, int], str | None, str, bool]:
    engine = make_engine(database_url)
    pg_dump = _tool("pg_dump")
    try:
        async with engine.connect() as conn:
            version = await _check_tool_version(pg_dump, conn)
            await conn.commit()
            repeatable = await conn.execution_options(isolation_level="REPEATABLE READ")
            consistent = True
            try:
                snapshot = (await repeatable.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
            except Exception:
                # Poolers in transaction mode (and some providers) do not export snapshots: the dump is still
                # consistent in itself, the counts are then taken just before it.
                await repeatable.rollback()
                snapshot, consistent = None, False
            counts, revision = await _counts_and_revision(repeatable)
            args = [pg_dump, "--format=custom", "--no-owner", "--no-acl", f"--file={target}"]
            if snapshot:
                args.append(f"--snapshot={snapshot}")
            await _run(*args, env=libpq_env(database_url))
            await repeatable.rollback()
    finally:
        await engine.dispose()
    return counts, revision, version, consistent


def _dump_sqlite(database_url: str, target: Path) -> tuple[dict[str, int], str | None, str, bool]:
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # the online backup API: a consistent copy even while the app writes
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        tables = [
            r[0]
            for r in dst.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {name: dst.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}  # noqa: S608  (names from sqlite_master)
        revision = None
        if "alembic_version" in tables:
            row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        dst.close()
        src.close()
    return counts, revision, f"sqlite3 {sqlite3.sqlite_version}", True


# -- backup --------------------------------------------------------------------------------------------------------


def backup_path(output: Path | str, now: datetime | None = None) -> Path:
    """A directory (existing, or written with a trailing slash) gets a timestamped file inside it."""
    as_directory = str(output).endswith(("/", os.sep))
    output = Path(output)
    if as_directory or output.is_dir():
        output.mkdir(parents=True, exist_ok=True)
        stamp = (now or clock.utcnow()).strftime("%Y%m%dT%H%M%SZ")
        return output / f"marketedge-{stamp}{SUFFIX}"
    return output


async def backup(
    database_url: str, output: Path | str, *, key: Fernet | None = None
) -> tuple[Path, Manifest]:
    """Write a backup of the database at `database_url` to `output` (a file, or a directory for it)."""
    target = backup_path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = database_kind(database_url)
    with tempfile.TemporaryDirectory(prefix="marketedge-backup-", dir=target.parent) as work:
        dump = Path(work) / ("database.pgdump" if kind == "postgresql" else "database.sqlite3")
        if kind == "postgresql":
            counts, revision, tool, consistent = await _dump_postgres(database_url, dump)
        else:
            counts, revision, tool, consistent = await asyncio.to_thread(_dump_sqlite, database_url, dump)
        plain_sha = await asyncio.to_thread(_sha256, dump)
        member = dump
        if key is not None:
            member = dump.with_name(dump.name + ".enc")
            await asyncio.to_thread(encrypt_file, key, dump, member)
        manifest = Manifest(
            created_at=clock.utcnow().isoformat(),
            app_version=__version__,
            database=kind,
            schema_revision=revision,
            tables=counts,
            member=member.name,
            size_bytes=member.stat().st_size,
            sha256=await asyncio.to_thread(_sha256, member),
            plain_sha256=plain_sha,
            encrypted=key is not None,
            tool=tool,
            consistent=consistent,
        )
        partial = Path(work) / "backup.tar"
        await asyncio.to_thread(_write_tar, partial, manifest, member)
        os.chmod(partial, 0o600)  # a backup holds personal data (accounts, audit)
        os.replace(partial, target)
    log.info(
        "backup written",
        path=str(target),
        database=kind,
        rows=sum(counts.values()),
        encrypted=key is not None,
    )
    return target, manifest


def _write_tar(path: Path, manifest: Manifest, member: Path) -> None:
    with tarfile.open(path, "w") as archive:
        raw = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(raw), int(clock.utcnow().timestamp()), 0o600
        archive.addfile(info, io.BytesIO(raw))
        archive.add(member, arcname=member.name, recursive=False)


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r") as archive:
            found = archive.extractfile(MANIFEST)
            if found is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(found.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a Market Edge backup ({type(exc).__name__})") from None


@contextmanager
def _extracted(path: Path, manifest: Manifest, key: Fernet | None) -> Iterator[Path]:
    """The dump, checked against the manifest and decrypted, in a temporary directory."""
    if manifest.encrypted and key is None:
        raise BackupError("this backup is encrypted: give its key with --encrypt-key-file")
    with tempfile.TemporaryDirectory(prefix="marketedge-restore-") as work:
        stored = Path(work) / Path(manifest.member).name
        with tarfile.open(path, "r") as archive:
            member = archive.getmember(manifest.member)
            source = archive.extractfile(member)
            if source is None:
                raise BackupError("the backup has no dump in it")
            with stored.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
        if _sha256(stored) != manifest.sha256:
            raise BackupError("the dump does not match its manifest's checksum: the file is damaged")
        plain = stored
        if manifest.encrypted:
            assert key is not None
            plain = stored.with_suffix("")
            decrypt_file(key, stored, plain)
            stored.unlink()
        if _sha256(plain) != manifest.plain_sha256:
            raise BackupError("the decrypted dump does not match its manifest's checksum")
        yield plain


# -- restore -------------------------------------------------------------------------------------------------------


async def restore(
    database_url: str, source: Path, *, key: Fernet | None = None, force: bool = False
) -> Manifest:
    """Restore a backup into the database at `database_url`; refuses one that holds tables unless `force`."""
    manifest = read_manifest(source)
    kind = database_kind(database_url)
    if manifest.database != kind:
        raise BackupError(f"this is a {manifest.database} backup; DATABASE_URL points at {kind}")
    with _extracted(source, manifest, key) as dump:
        tables, rows = await _existing_rows(database_url)
        if rows and not force:
            raise NotEmpty(
                f"the target database is not empty ({tables} tables, {rows} rows): restore into an empty "
                "database, or add --force to replace everything in it"
            )
        if kind == "postgresql":
            # Tables without rows (a freshly migrated database) hold nothing to lose: they make way too.
            await _restore_postgres(database_url, dump, wipe=tables > 0)
        else:
            await asyncio.to_thread(_restore_sqlite, database_url, dump)
    counts = await table_counts(database_url)
    if counts != manifest.tables:
        differ = sorted(
            n for n in set(counts) | set(manifest.tables) if counts.get(n) != manifest.tables.get(n)
        )
        raise BackupError(f"restored, but the rows differ from the manifest in: {', '.join(differ)}")
    log.info("backup restored", path=str(source), database=kind, rows=sum(counts.values()))
    return manifest


async def _existing_rows(database_url: str) -> tuple[int, int]:
    """(tables, rows) in the target; the migration bookkeeping (alembic_version) is not data."""
    if database_kind(database_url) == "sqlite" and not sqlite_path(database_url).exists():
        return 0, 0
    counts = await table_counts(database_url)
    return len(counts), sum(n for name, n in counts.items() if name != "alembic_version")


async def _restore_postgres(database_url: str, dump: Path, *, wipe: bool) -> None:
    pg_restore = _tool("pg_restore")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await _check_tool_version(pg_restore, conn)
            if wipe:
                names = await conn.run_sync(lambda c: inspect(c).get_table_names())
                for name in names:
                    quoted = conn.dialect.identifier_preparer.quote(name)
                    await conn.execute(text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
    finally:
        await engine.dispose()
    await _run(
        pg_restore,
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={libpq_env(database_url).get('PGDATABASE', '')}",
        str(dump),
        env=libpq_env(database_url),
    )


def _restore_sqlite(database_url: str, dump: Path) -> None:
    target = sqlite_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # replaces every page of the target: what it held before is gone
        dst.execute("PRAGMA journal_mode=WAL")  # as the app opens it
    finally:
        dst.close()
        src.close()
