"""manage.py backup and restore: a consistent copy while secretaries submit, the database and
the uploaded files back together, a damaged or foreign archive refused with nothing changed,
and the retention count. Runs against the test database file itself (config/test_settings.py
makes it a real file on SQLite), so transactions are real: django_db(transaction=True)."""

import datetime as dt
import io
import json
import shutil
import sqlite3
import tarfile
import threading
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from reports.models import SubmissionScore
from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch, Unit, User
from surveys.rounds.models import RosterEntry
from surveys.submissions import services
from surveys.submissions.models import Submission, SubmissionSnapshot
from tests.conftest import make_round, make_user
from tests.helpers import submit, values_for

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA = {
    "evidence/2026/会议记录.pdf": b"%PDF-1.4 minutes of the branch meeting",
    "evidence/2026/photo.jpg": b"\xff\xd8\xff\xe0 a photo",
}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, content in MEDIA.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return settings.MEDIA_ROOT


@pytest.fixture
def backup_dir(tmp_path):
    return tmp_path / "backups"


def media_files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def backup(backup_dir, *args):
    out = io.StringIO()
    call_command("backup", "--dir", str(backup_dir), *args, stdout=out)
    return out.getvalue()


def only_archive(backup_dir):
    (archive,) = sorted(backup_dir.glob("ronghe-*.tar.gz"))
    return archive


def restore(archive, *args):
    out = io.StringIO()
    call_command("restore", str(archive), *args, stdout=out)
    return out.getvalue()


def sqlite_submission_count(archive, tmp_path):
    """How many submissions the archive's own SQLite file holds (None on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return None
    with tarfile.open(archive) as tar:
        tar.extract("database.sqlite3", tmp_path / "unpacked", filter="data")
    copy = sqlite3.connect(tmp_path / "unpacked" / "database.sqlite3")
    try:
        return copy.execute("SELECT count(*) FROM surveys_submission").fetchone()[0]
    finally:
        copy.close()


def submitted_branches():
    return set(
        Submission.objects.filter(status=Submission.Status.SUBMITTED).values_list(
            "branch_id", flat=True
        )
    )


def test_backup_during_concurrent_submits_keeps_every_committed_one(
    questionnaire, media_root, backup_dir, tmp_path
):
    unit = Unit.objects.create(code="U-X", name="县发改局", order=1)
    branches = [
        Branch.objects.create(unit=unit, code=f"U-X-{i}", name=f"县发改局第{i}党支部")
        for i in range(40)
    ]
    users = {
        b.pk: make_user(f"sec_{i}", role=User.Role.SECRETARY, branch=b)
        for i, b in enumerate(branches)
    }
    now = dt.datetime.now(dt.UTC)
    round_ = make_round(
        questionnaire,
        branches,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
    )
    entries = list(RosterEntry.objects.select_related("round__questionnaire").filter(round=round_))
    values = values_for(questionnaire, 4)
    committed = []  # (branch id, when submission_submit had returned)
    errors = []
    lock = threading.Lock()

    def writer(chunk):
        try:
            for entry in chunk:
                services.submission_submit(
                    entry=entry, user=users[entry.branch_id], values=values, version=0
                )
                with lock:
                    committed.append((entry.branch_id, time.monotonic()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(entries[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(committed) < 6 and time.monotonic() < deadline:
        time.sleep(0.005)
    started = time.monotonic()
    output = backup(backup_dir)
    finished = time.monotonic()
    during = len(committed)
    for t in threads:
        t.join(timeout=120)
    assert errors == []  # the backup made no writer fail ("database is locked")
    assert len(committed) == 40

    archive = only_archive(backup_dir)
    assert f"已写入备份：{archive}" in output
    before = {branch for branch, at in committed if at < started}
    by_end = {branch for branch, at in committed if at <= finished}
    in_archive = sqlite_submission_count(archive, tmp_path)

    restore(archive, "--yes")

    restored = submitted_branches()
    print(
        f"\nsubmissions committed: before the backup started {len(before)}, "
        f"by the time it finished {len(by_end)}, in all {len(committed)}; "
        f"in the archive {in_archive}, in the restored database {len(restored)}; "
        f"the backup took {finished - started:.3f} s, {during} committed when it returned"
    )
    assert before <= restored  # every one committed before the backup started
    assert in_archive in (None, len(restored))
    assert len(before) >= 6
    # Each restored submission is whole: the submit transaction was copied entirely or not at all.
    assert SubmissionSnapshot.objects.count() == len(restored)
    assert SubmissionScore.objects.count() == len(restored)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count() == len(restored)
    assert media_files(media_root) == MEDIA


def test_restore_brings_back_the_database_and_the_files_together(
    client, open_round, questionnaire, secretary_a, secretary_b, media_root, backup_dir
):
    submit(client, secretary_a, open_round, questionnaire)
    output = backup(backup_dir)
    assert "上传的文件 2 个" in output
    with tarfile.open(only_archive(backup_dir)) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["media"]["count"] == 2

    # After the backup: another submission, one file gone, one changed, one new.
    submit(client, secretary_b, open_round, questionnaire)
    (media_root / "evidence/2026/photo.jpg").unlink()
    (media_root / "evidence/2026/会议记录.pdf").write_bytes(b"changed")
    (media_root / "later.txt").write_bytes(b"after the backup")

    assert "检查通过" in restore(only_archive(backup_dir), "--check")
    assert submitted_branches() == {secretary_a.branch_id, secretary_b.branch_id}  # unchanged

    output = restore(only_archive(backup_dir), "--noinput")

    assert "已恢复" in output and "请现在重启应用" in output
    assert submitted_branches() == {secretary_a.branch_id}
    assert media_files(media_root) == MEDIA
    # The restored data works for the secretary: her submitted questionnaire is there.
    client.force_login(secretary_a)
    assert f'id="submitted-{open_round.pk}"' in client.get(reverse("home")).content.decode()
    client.force_login(secretary_b)
    assert f'id="submitted-{open_round.pk}"' not in client.get(reverse("home")).content.decode()


def test_restore_asks_first_and_a_no_changes_nothing(
    client, open_round, questionnaire, secretary_a, secretary_b, media_root, backup_dir, monkeypatch
):
    backup(backup_dir)
    submit(client, secretary_b, open_round, questionnaire)
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="已取消，没有做任何改动"):
        call_command("restore", str(only_archive(backup_dir)), stdout=out)
    assert "替换当前的全部数据" in out.getvalue()
    assert submitted_branches() == {secretary_b.branch_id}


def _rewrite(archive, change):
    """Rebuild `archive` with `change(name, data)` applied to every member's bytes."""
    with tarfile.open(archive) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar]
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members:
            data = change(name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _flip_database_byte(name, data):
    if name.startswith("database."):  # database.sqlite3 or, on PostgreSQL, database.dump
        data = data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:]
    return data


def _manifest_says(**fields):
    def change(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest.update(fields)
            data = json.dumps(manifest).encode()
        return data

    return change


DAMAGE = {
    "a flipped byte in the database": (
        lambda a: _rewrite(a, _flip_database_byte),
        r"database\.\w+ 的校验和不符",
    ),
    "a media file missing": (
        lambda a: _rewrite(a, lambda n, d: None if n.endswith("photo.jpg") else d),
        "备份文件不完整",
    ),
    "an extra file outside the folder": (
        lambda a: _add_member(a, "../../etc/evil", b"x"),
        "清单之外的内容",
    ),
    "truncated": (
        lambda a: a.write_bytes(a.read_bytes()[: a.stat().st_size // 2]),
        "已损坏",
    ),
    "no manifest (a foreign archive)": (
        lambda a: _rewrite(a, lambda n, d: None if n == "manifest.json" else d),
        "这不是本系统的备份文件",
    ),
    "a manifest without the database's checksum": (
        lambda a: _rewrite(a, _manifest_says(database={"vendor": "postgresql"})),
        "manifest.json 不完整",
    ),
    "not an archive": (lambda a: a.write_bytes(b"SQLite format 3\0 just a file"), "无法打开"),
}


def _add_member(archive, name, data):
    with tarfile.open(archive) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar]
    members.append((name, data))
    with tarfile.open(archive, "w:gz") as tar:
        for member_name, member_data in members:
            info = tarfile.TarInfo(member_name)
            info.size = len(member_data)
            tar.addfile(info, io.BytesIO(member_data))


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_foreign_archive_is_refused_and_changes_nothing(
    damage, client, open_round, questionnaire, secretary_a, secretary_b, media_root, backup_dir
):
    submit(client, secretary_a, open_round, questionnaire)
    backup(backup_dir)
    submit(client, secretary_b, open_round, questionnaire)
    (media_root / "later.txt").write_bytes(b"after the backup")
    files_before = media_files(media_root)
    archive = only_archive(backup_dir)
    spoil, message = DAMAGE[damage]
    spoil(archive)

    with pytest.raises(CommandError, match=message):
        restore(archive, "--check")
    with pytest.raises(CommandError, match=message) as refused:
        restore(archive, "--yes")

    assert "没有做任何改动" in str(refused.value)
    assert submitted_branches() == {secretary_a.branch_id, secretary_b.branch_id}
    assert media_files(media_root) == files_before
    assert not list(media_root.parent.glob(".restore-*"))  # no staging left behind


def test_an_archive_from_another_database_vendor_is_refused(
    client, open_round, questionnaire, secretary_a, media_root, backup_dir
):
    backup(backup_dir)
    submit(client, secretary_a, open_round, questionnaire)
    archive = only_archive(backup_dir)

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def from_other_vendor(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["vendor"] = other
            data = json.dumps(manifest).encode()
        return data

    _rewrite(archive, from_other_vendor)
    with pytest.raises(
        CommandError, match=f"备份来自 {other} 数据库，当前使用的是 {connection.vendor}"
    ):
        restore(archive, "--yes")
    assert submitted_branches() == {secretary_a.branch_id}


def test_retention_keeps_the_newest_n(media_root, backup_dir):
    backup_dir.mkdir()
    (backup_dir / "notes.txt").write_text("not a backup")
    start = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC)
    names = []
    with time_machine.travel(start, tick=False) as traveller:
        for _day in range(5):
            output = backup(backup_dir, "--keep", "3")
            names.append(only_newest(backup_dir))
            traveller.shift(dt.timedelta(days=1))
        assert "按保留份数（3）删除了 1 份旧备份" in output
        # Two backups within one second get two names.
        backup(backup_dir, "--keep", "3")
        backup(backup_dir, "--keep", "3")

    kept = sorted(p.name for p in backup_dir.glob("ronghe-*.tar.gz"))
    assert kept == [names[4], "ronghe-20261206-233000-2.tar.gz", "ronghe-20261206-233000.tar.gz"]
    assert names[0] == "ronghe-20261201-233000.tar.gz"  # local time, Asia/Shanghai
    assert (backup_dir / "notes.txt").exists()


def only_newest(backup_dir):
    return max(p.name for p in backup_dir.glob("ronghe-*.tar.gz"))


def test_backup_refuses_keep_zero(backup_dir):
    with pytest.raises(CommandError, match="--keep 至少为 1"):
        backup(backup_dir, "--keep", "0")


@pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("pg_dump") is None,
    reason="needs the suite on PostgreSQL (DATABASE_URL) and pg_dump on PATH",
)
def test_postgresql_backup_and_restore(
    client, open_round, questionnaire, secretary_a, secretary_b, media_root, backup_dir
):
    submit(client, secretary_a, open_round, questionnaire)
    output = backup(backup_dir)
    assert "PostgreSQL" in output
    archive = only_archive(backup_dir)
    with tarfile.open(archive) as tar:
        assert "database.dump" in tar.getnames()
    submit(client, secretary_b, open_round, questionnaire)
    (media_root / "later.txt").write_bytes(b"after the backup")

    restore(archive, "--yes")

    assert submitted_branches() == {secretary_a.branch_id}
    assert SubmissionScore.objects.count() == 1
    assert media_files(media_root) == MEDIA
