"""Backup and restore: one archive holds the database and the stored files, with a manifest.

An archive is `ronghe-YYYYMMDD-HHMMSS.tar.gz` holding

- `manifest.json`: when, the app's and Django's versions, the database vendor, and the
  size and sha256 of every other member;
- `database.sqlite3` (SQLite's online backup API, which also takes what still sits in the
  `-wal` file) or `database.dump` (`pg_dump -Fc`);
- `media/…`: every file under `settings.MEDIA_ROOT`, if that folder exists.

A restore first unpacks the whole archive into a staging folder and checks every checksum;
a damaged or foreign archive is refused before anything is changed. Used by
`manage.py backup` and `manage.py restore`; imports no feature.
"""

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = "ronghe-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"
MEDIA_PREFIX = "media/"
NAME_RE = re.compile(r"^ronghe-(\d{8})-(\d{6})(?:-(\d+))?\.tar\.gz$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message fit to show the operator."""


@dataclass
class BackupResult:
    path: Path
    vendor: str
    database_bytes: int
    media_files: int
    deleted: list


@dataclass
class RestoreResult:
    created_at: str
    vendor: str
    media_files: int


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version():
    try:
        return importlib.metadata.version("ronghe")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _vendor(using):
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份此类数据库：{vendor}（仅支持 SQLite 和 PostgreSQL）。")
    return vendor


def _sqlite_path(using):
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError("内存数据库无法备份，请使用数据库文件。")
    return Path(name)


def _sqlite_timeout(using):
    return float(connections[using].settings_dict.get("OPTIONS", {}).get("timeout", 20))


# ---------------------------------------------------------------- database: SQLite


def _sqlite_dump(using, target):
    """A consistent copy through the online backup API, while others go on writing."""
    source_path = _sqlite_path(using)
    if not source_path.exists():
        raise BackupError(f"找不到数据库文件：{source_path}")
    timeout = _sqlite_timeout(using)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=timeout)
    try:
        dest = sqlite3.connect(target)
        try:
            # pages=-1 (the default) copies everything in one step, from one read snapshot.
            source.backup(dest)
            # One self-contained file: no -wal beside it when it is unpacked.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()
    _sqlite_check(target, ours=False)


def _sqlite_check(path, *, ours=True):
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库文件已损坏：{exc}") from exc
    if result != "ok":
        raise BackupError(f"备份中的数据库文件未通过完整性检查：{result}")
    if ours and not has_migrations:
        raise BackupError("备份中的数据库不是本系统的数据库。")


def _sqlite_load(using, staged):
    """Copy the staged database into the live one through the backup API: one write
    transaction, so the live file goes from the old content to the new all at once, and
    SQLite itself deals with its -wal and -shm files (a file moved into place beside an old
    -wal file would have that journal replayed onto it)."""
    target = _sqlite_path(using)
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    source = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target, timeout=_sqlite_timeout(using))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()


# ---------------------------------------------------------------- database: PostgreSQL


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name} 命令：请安装 PostgreSQL 客户端"
            f"（如 apt-get install postgresql-client），并确认 {name} 在 PATH 中。"
        )
    return path


def _pg_args_env(using):
    """Connection arguments from settings.DATABASES; the password only in the environment."""
    conf = connections[using].settings_dict
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    args += ["--dbname", str(conf["NAME"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _run(command, env, what):
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise BackupError(f"{what}失败（退出码 {completed.returncode}）：{detail}")
    return completed


def _pg_dump(using, target):
    args, env = _pg_args_env(using)
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(target)]
    _run(command + args, env, "pg_dump 备份")


def _pg_check(path):
    with open(path, "rb") as f:
        if f.read(5) != b"PGDMP":
            raise BackupError("备份中的数据库文件不是 pg_dump 的自定义格式。")
    _run([_pg_tool("pg_restore"), "--list", str(path)], dict(os.environ), "读取数据库备份")


def _pg_load(using, staged):
    args, env = _pg_args_env(using)
    connections.close_all()
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",  # a failed restore leaves the database as it was
        "--no-password",
    ]
    _run(command + args + [str(staged)], env, "pg_restore 恢复")


# ---------------------------------------------------------------- the archive


def _media_root():
    root = getattr(settings, "MEDIA_ROOT", None)
    return Path(root) if root else None


def _media_files(root):
    if root is None or not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _entry(path, name):
    return {"name": name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def _archive_name(directory, now):
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    path = directory / f"ronghe-{stamp}.tar.gz"
    n = 2
    while path.exists():
        path = directory / f"ronghe-{stamp}-{n}.tar.gz"
        n += 1
    return path


def archives(directory):
    """The backups in `directory`, oldest first (only files named as `backup` names them)."""
    found = []
    for path in Path(directory).iterdir():
        match = NAME_RE.match(path.name)
        if match and path.is_file():
            found.append(((match[1], match[2], int(match[3] or 1)), path))
    return [path for _key, path in sorted(found)]


def prune(directory, keep):
    """Delete all but the newest `keep` backups; returns the deleted paths."""
    if keep < 1:
        raise BackupError("--keep 至少为 1。")
    old = archives(directory)[:-keep]
    for path in old:
        path.unlink()
    return old


def create_backup(*, directory=None, keep=14, using="default", now=None) -> BackupResult:
    """Write one archive of the database and the media files into `directory`, then keep
    only the newest `keep` archives there."""
    if keep < 1:
        raise BackupError("--keep 至少为 1。")
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    vendor = _vendor(using)

    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as staging:
        staging = Path(staging)
        if vendor == "sqlite":
            db_name = SQLITE_MEMBER
            _sqlite_dump(using, staging / db_name)
        else:
            db_name = POSTGRES_MEMBER
            _pg_dump(using, staging / db_name)
        db_entry = _entry(staging / db_name, db_name)

        root = _media_root()
        media = []
        for path in _media_files(root):
            relative = path.relative_to(root).as_posix()
            media.append((path, _entry(path, MEDIA_PREFIX + relative)))

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.localtime(now).isoformat(),
            "app_version": _app_version(),
            "django_version": django.get_version(),
            "database": {"vendor": vendor, **db_entry},
            "media": {"count": len(media), "files": [entry for _path, entry in media]},
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )

        # Written under a hidden name and renamed when complete, so a half-written archive
        # never looks like a backup (and is never counted by the retention).
        partial = staging / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(staging / db_name, arcname=db_name)
            for path, entry in media:
                tar.add(path, arcname=entry["name"])
        final = _archive_name(directory, now)
        os.replace(partial, final)

    deleted = prune(directory, keep)
    return BackupResult(
        path=final,
        vendor=vendor,
        database_bytes=db_entry["size"],
        media_files=len(media),
        deleted=deleted,
    )


def _safe_member_name(name):
    pure = PurePosixPath(name)
    return not (pure.is_absolute() or ".." in pure.parts or name in ("", "."))


def _read_manifest(tar):
    try:
        member = tar.getmember(MANIFEST)
        raw = tar.extractfile(member).read()
        manifest = json.loads(raw.decode("utf-8"))
    except (KeyError, AttributeError, ValueError):
        raise BackupError("这不是本系统的备份文件：缺少或无法读取 manifest.json。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("这不是本系统的备份文件：manifest.json 的格式不对。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"不支持此备份格式版本：{manifest.get('format_version')}。")
    try:
        database = manifest["database"]
        expected = {database["name"]: database}
        for entry in manifest["media"]["files"]:
            expected[entry["name"]] = entry
        if database["name"] not in (SQLITE_MEMBER, POSTGRES_MEMBER):
            raise KeyError
    except (KeyError, TypeError):
        raise BackupError("备份文件的 manifest.json 不完整。") from None
    for name in expected:
        if not isinstance(name, str) or not _safe_member_name(name) or name == MANIFEST:
            raise BackupError(f"备份文件中有不安全的文件名：{name}")
        if name not in (SQLITE_MEMBER, POSTGRES_MEMBER) and not name.startswith(MEDIA_PREFIX):
            raise BackupError(f"备份文件中有不安全的文件名：{name}")
    return manifest, expected


def _stage(archive, staging):
    """Unpack `archive` into `staging`, checking every member against the manifest."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"无法打开备份文件（文件已损坏或不是 .tar.gz）：{exc}") from exc
    try:
        with tar:
            manifest, expected = _read_manifest(tar)
            seen = set()
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupError(f"备份文件中有清单之外的内容：{member.name}")
                if member.name in seen:
                    raise BackupError(f"备份文件中有重复的文件：{member.name}")
                seen.add(member.name)
                entry = expected[member.name]
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with tar.extractfile(member) as source, open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry.get("sha256") or target.stat().st_size != entry.get(
                    "size"
                ):
                    raise BackupError(f"备份文件已损坏：{member.name} 的校验和不符。")
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"备份文件已损坏，无法完整读取：{exc}") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"备份文件不完整，缺少：{'、'.join(missing[:5])}")
    return manifest


def read_manifest(archive):
    """The manifest of `archive`, without checking the rest (for the confirmation prompt)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return _read_manifest(tar)[0]
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"无法打开备份文件（文件已损坏或不是 .tar.gz）：{exc}") from exc


def restore_backup(archive, *, using="default", check_only=False) -> RestoreResult:
    """Replace the database and the media files with those in `archive`. Everything is
    checked before anything changes; a refused archive leaves the data as it was.
    `check_only` stops after the checks (a test of the backup that changes nothing)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    vendor = _vendor(using)
    root = _media_root()
    # Stage beside the media folder when there is one, so that the swap is a rename.
    base = root.parent if root is not None else Path(settings.DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base, prefix=".restore-") as staging:
        staging = Path(staging)
        manifest = _stage(archive, staging)
        archived_vendor = manifest["database"]["vendor"]
        if archived_vendor != vendor:
            raise BackupError(
                f"备份来自 {archived_vendor} 数据库，当前使用的是 {vendor} 数据库，不能直接恢复。"
            )
        staged_db = staging / manifest["database"]["name"]
        if vendor == "sqlite":
            _sqlite_check(staged_db)
        else:
            _pg_check(staged_db)
        staged_media = staging / MEDIA_PREFIX.rstrip("/")
        if root is None and manifest["media"]["count"]:
            raise BackupError("备份中有上传的文件，但当前设置中没有 MEDIA_ROOT。")
        if check_only:
            return RestoreResult(
                created_at=manifest.get("created_at", ""),
                vendor=vendor,
                media_files=manifest["media"]["count"],
            )

        if vendor == "sqlite":
            _sqlite_load(using, staged_db)
        else:
            _pg_load(using, staged_db)

        if root is not None:
            staged_media.mkdir(exist_ok=True)
            old = staging / "media-before-restore"
            if root.exists():
                os.replace(root, old)
            os.replace(staged_media, root)
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
    return RestoreResult(
        created_at=manifest.get("created_at", ""),
        vendor=vendor,
        media_files=manifest["media"]["count"],
    )


def describe_time(value):
    """An ISO time from a manifest as the operator reads it."""
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(value)
