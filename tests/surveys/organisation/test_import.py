"""Bulk onboarding: template, upload, row checks, preview, commit, initial passwords once."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports.selectors import data_version
from surveys.audit.models import AuditEvent
from surveys.organisation import import_plan, import_sheet
from surveys.organisation.models import Branch, SecretaryAssignment, Unit, User
from tests.conftest import make_user
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.django_db

HEADER = [
    "单位编码",
    "单位名称",
    "支部编码",
    "支部名称",
    "党员人数",
    "书记姓名",
    "手机号",
    "登录账号",
]
ROWS = [
    [
        "U01",
        "县委办公室",
        "U01B1",
        "县委办公室机关第一党支部",
        23,
        "张建国",
        "13812345678",
        "zhangjg",
    ],
    ["U01", "县委办公室", "U01B2", "县委办公室机关第二党支部", 17, "李红梅", 13912345678, "lihm"],
    ["U02", "县审计局", "U02B1", "县审计局机关党支部", "9", "赵志强", "15012345678", "zhaozq"],
]


def xlsx(rows=ROWS, header=HEADER, sheet="组织与账号"):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def changed(row_index, column, value, rows=ROWS):
    rows = [list(r) for r in rows]
    rows[row_index][HEADER.index(column)] = value
    return rows


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def office_client(office):
    """An office user in a client that enforces CSRF, as a browser would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    return client


def upload(client, content, name="名单.xlsx"):
    token = csrf_token_from(client.get(reverse("people_import")).content.decode())
    return client.post(
        reverse("people_import"),
        {"file": SimpleUploadedFile(name, content), "csrfmiddlewaretoken": token},
    )


def commit(client):
    preview = client.get(reverse("people_import_preview"))
    token = csrf_token_from(preview.content.decode())
    return client.post(reverse("people_import_commit"), {"csrfmiddlewaretoken": token})


def import_file(client, content):
    assert upload(client, content).status_code == 302
    return commit(client)


def state():
    """Everything an import may touch, to compare before and after."""
    return (
        list(Unit.objects.order_by("code").values()),
        list(Branch.objects.order_by("code").values()),
        list(User.objects.order_by("username").values()),
        list(SecretaryAssignment.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


def test_template_has_the_columns_a_guide_and_an_example(office_client):
    response = office_client.get(reverse("people_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["组织与账号", "填写说明"]
    assert [c.value for c in workbook["组织与账号"][1]] == [*HEADER, "邮箱"]  # 邮箱 optional
    guide = [[c.value for c in row] for row in workbook["填写说明"].iter_rows()]
    assert guide[0] == ["列名", "是否必填", "填写要求", "示例"]
    assert ["手机号", "必填", "11 位数字。", "13812345678"] in guide


def test_template_filled_in_parses():
    workbook = openpyxl.load_workbook(io.BytesIO(import_sheet.template_xlsx()))
    for row in ROWS:
        workbook["组织与账号"].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows, errors = import_sheet.read_rows(buffer.getvalue())
    assert errors == []
    assert [(r.number, r.branch_code, r.member_count, r.phone) for r in rows] == [
        (2, "U01B1", 23, "13812345678"),
        (3, "U01B2", 17, "13912345678"),
        (4, "U02B1", 9, "15012345678"),
    ]


def test_valid_file_previews_then_commits(office_client, office):
    response = upload(office_client, xlsx())
    assert response.url == reverse("people_import_preview")
    preview = office_client.get(response.url).content.decode()
    assert "新建单位 2 个，新建党支部 3 个，新建书记账号 3 个" in preview
    assert "确认导入" in preview
    assert not Unit.objects.exists(), "a preview writes nothing"

    version = data_version()
    response = commit(office_client)
    assert response.url == reverse("people_import_done")
    assert data_version() == version + 1, "one bump for the import, not one per row"
    assert list(Unit.objects.values_list("code", "name", "order")) == [
        ("U01", "县委办公室", 1),
        ("U02", "县审计局", 2),
    ]
    branch = Branch.objects.get(code="U01B2")
    assert (branch.unit.code, branch.name, branch.member_count) == ("U01", ROWS[1][3], 17)
    secretaries = User.objects.filter(role=User.Role.SECRETARY).order_by("username")
    assert [(u.username, u.display_name, u.phone, u.branch.code) for u in secretaries] == [
        ("lihm", "李红梅", "13912345678", "U01B2"),
        ("zhangjg", "张建国", "13812345678", "U01B1"),
        ("zhaozq", "赵志强", "15012345678", "U02B1"),
    ]
    assert all(u.must_change_password and u.is_active for u in secretaries)
    assert {(a.user.username, a.branch.code) for a in SecretaryAssignment.objects.all()} == {
        ("lihm", "U01B2"),
        ("zhangjg", "U01B1"),
        ("zhaozq", "U02B1"),
    }
    assert not SecretaryAssignment.objects.filter(ended_at__isnull=False).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.actor == office
    assert event.detail["file"] == "名单.xlsx"
    assert (event.detail["unit_create"], event.detail["branch_create"]) == (2, 3)
    assert event.detail["secretary_create"] == 3


def test_initial_passwords_shown_once_and_downloadable_once(office_client):
    import_file(office_client, xlsx())
    held = stored_sessions()
    page = office_client.get(reverse("people_import_done"))
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    shown = shown_passwords(html)
    assert set(shown) == {"zhangjg", "lihm", "zhaozq"}
    for username, password in shown.items():
        user = User.objects.get(username=username)
        assert len(password) == 10 and password not in user.password
        assert user.check_password(password)
        assert password not in held, "sealed while the session waits in the database"
    assert 'id="download-passwords"' in html and "打印" in html

    token = csrf_token_from(html)
    download = office_client.post(
        reverse("people_import_passwords"), {"csrfmiddlewaretoken": token}
    )
    assert download["Cache-Control"] == "private, no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["账号", "姓名", "手机号", "支部", "初始密码"]
    assert sorted(rows[1:]) == sorted(
        [
            ["lihm", "李红梅", "13912345678", "县委办公室机关第二党支部", shown["lihm"]],
            ["zhangjg", "张建国", "13812345678", "县委办公室机关第一党支部", shown["zhangjg"]],
            ["zhaozq", "赵志强", "15012345678", "县审计局机关党支部", shown["zhaozq"]],
        ]
    )

    second = office_client.post(reverse("people_import_passwords"), {"csrfmiddlewaretoken": token})
    assert second.status_code == 302
    assert (
        shown["lihm"]
        not in office_client.get(reverse("people_import_done"), follow=True).content.decode()
    )


def test_a_reload_of_the_import_result_offers_neither_passwords_nor_download(office_client):
    """The page says they cannot be seen or downloaded after it is left; a reload leaves it."""
    import_file(office_client, xlsx())
    first = office_client.get(reverse("people_import_done")).content.decode()
    assert "刷新或离开本页后将无法再查看或下载" in first
    shown = shown_passwords(first)
    assert len(shown) == 3

    again = office_client.get(reverse("people_import_done")).content.decode()
    assert not any(password in again for password in shown.values())
    assert "现已不能再查看或下载" in again and "download-passwords" not in again
    assert "people_credentials" not in office_client.session
    response = office_client.post(
        reverse("people_import_passwords"), {"csrfmiddlewaretoken": csrf_token_from(first)}
    )
    assert response.url == reverse("people")


def stored_sessions():
    return " ".join(f"{s.session_data} {s.get_decoded()}" for s in Session.objects.all())


def shown_passwords(html):
    """Login name -> plaintext password, as listed on the import result page."""
    table = html.split('id="initial-passwords"', 1)[1].split("</table>", 1)[0]
    return dict(
        re.findall(
            r'<tr><td><code>([^<]+)</code></td><td><code class="fs-6">([^<]+)</code></td>',
            table,
        )
    )


def test_initial_passwords_are_gone_once_the_office_leaves(office_client):
    import_file(office_client, xlsx())
    html = office_client.get(reverse("people_import_done")).content.decode()
    token = csrf_token_from(html)
    office_client.get(reverse("people"))
    response = office_client.post(
        reverse("people_import_passwords"), {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "初始密码只能在导入结果页上下载一次" in response.content.decode()
    assert "people_credentials" not in office_client.session


def test_reimporting_the_same_file_changes_nothing(office_client):
    import_file(office_client, xlsx())
    before = state()
    response = upload(office_client, xlsx())
    preview = office_client.get(response.url).content.decode()
    assert "全部不变" in preview
    assert "确认导入" not in preview
    assert preview.count('data-action="unchanged"') == 2 + 3 + 3
    response = commit(office_client)  # a stray POST commits nothing
    assert response.url == reverse("people")
    assert state() == before


def shows_change(html, label, old, new):
    return f'{label}：<del class="text-body-secondary">{old}</del> → <strong>{new}</strong>' in html


def test_changed_rows_update_the_records_matched_by_code(office_client):
    import_file(office_client, xlsx())
    before = {u.username: u.password for u in User.objects.all()}
    ids = (
        set(Unit.objects.values_list("pk", flat=True)),
        set(Branch.objects.values_list("pk", flat=True)),
    )
    rows = changed(0, "单位名称", "中共县委办公室")
    rows = changed(1, "单位名称", "中共县委办公室", rows)
    rows = changed(1, "党员人数", 19, rows)
    rows = changed(2, "手机号", "18612345678", rows)
    rows = changed(2, "书记姓名", "赵志刚", rows)

    preview = office_client.get(upload(office_client, xlsx(rows)).url).content.decode()
    assert "修改单位 1 个，修改党支部 1 个，修改书记信息 1 个" in preview
    assert shows_change(preview, "单位名称", "县委办公室", "中共县委办公室")
    assert shows_change(preview, "党员人数", "17", "19")
    assert shows_change(preview, "手机号", "15012345678", "18612345678")
    assert shows_change(preview, "书记姓名", "赵志强", "赵志刚")
    commit(office_client)

    assert ids == (
        set(Unit.objects.values_list("pk", flat=True)),
        set(Branch.objects.values_list("pk", flat=True)),
    )
    assert Unit.objects.get(code="U01").name == "中共县委办公室"
    assert Branch.objects.get(code="U01B2").member_count == 19
    zhao = User.objects.get(username="zhaozq")
    assert (zhao.display_name, zhao.phone) == ("赵志刚", "18612345678")
    assert {u.username: u.password for u in User.objects.all()} == before
    assert (
        "本次导入没有新建账号" in office_client.get(reverse("people_import_done")).content.decode()
    )


def test_a_new_username_for_a_branch_hands_it_over(office_client):
    import_file(office_client, xlsx())
    old = User.objects.get(username="lihm")
    rows = changed(1, "登录账号", "wangfang", changed(1, "书记姓名", "王芳"))
    preview = office_client.get(upload(office_client, xlsx(rows)).url).content.decode()
    assert "更换书记 1 个" in preview
    assert "李红梅（lihm）" in preview and "原书记账号将停用" in preview
    commit(office_client)
    old.refresh_from_db()
    assert (old.is_active, old.role, old.branch) == (False, "", None)
    new = User.objects.get(username="wangfang")
    assert new.branch.code == "U01B2" and new.must_change_password
    assignments = SecretaryAssignment.objects.filter(branch__code="U01B2")
    assert assignments.get(ended_at__isnull=True).user == new
    assert assignments.get(ended_at__isnull=False).user == old


BAD_ROWS = [
    (
        changed(0, "手机号", "1381234"),
        "第2行：手机号“1381234”格式不正确（应为11位数字）。",
    ),
    (
        changed(1, "书记姓名", None, changed(1, "登录账号", "  ")),
        "第3行：书记姓名、登录账号不能为空。",
    ),
    (changed(2, "党员人数", -3), "第4行：党员人数“-3”应为不小于 0 的整数。"),
    (
        changed(0, "手机号", "１３８１２３４５６７８"),
        "第2行：手机号“１３８１２３４５６７８”格式不正确（应为11位数字）。",
    ),
    (changed(2, "党员人数", "十二"), "第4行：党员人数“十二”应为不小于 0 的整数。"),
    (changed(2, "党员人数", 3.5), "第4行：党员人数“3.5”应为不小于 0 的整数。"),
    (changed(1, "支部编码", "U01B1"), "第3行：支部编码“U01B1”与第2行重复。"),
    (
        changed(1, "单位名称", "县委办"),
        "第3行：单位编码“U01”的单位名称“县委办”与第2行的“县委办公室”不一致。",
    ),
    (
        changed(2, "登录账号", "zhangjg"),
        "第4行：登录账号“zhangjg”与第2行重复（一个账号只能担任一个支部的书记）。",
    ),
    (
        changed(0, "登录账号", "张建国"),
        "第2行：登录账号“张建国”只能由英文字母、数字和 _ . - @ + 组成。",
    ),
    (
        changed(0, "手机号", dt.datetime(2024, 5, 1)),
        "第2行：手机号的内容“2024-05-01”不是文字或数字，请改为文本格式。",
    ),
    (changed(0, "支部名称", "党" * 101), "第2行：支部名称“" + "党" * 20 + "…”超过 100 个字符。"),
]


@pytest.mark.parametrize("rows,message", BAD_ROWS)
def test_each_bad_row_is_named_and_nothing_is_imported(office_client, rows, message):
    response = upload(office_client, xlsx(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "未导入任何数据" in html
    assert not Unit.objects.exists() and not User.objects.filter(role="secretary").exists()
    assert "people_import" not in office_client.session


def test_row_numbers_count_the_header_and_blank_rows(office_client):
    rows = [ROWS[0], [None] * 8, ROWS[1], changed(2, "手机号", "12345")[2]]
    html = upload(office_client, xlsx(rows)).content.decode()
    assert "第5行：手机号“12345”格式不正确（应为11位数字）。" in html


def test_errors_are_listed_in_row_order(office_client, office):
    """A row's own checks and the checks against other rows and the database run in two
    passes; the office reads the list top to bottom like the sheet."""
    rows = [
        changed(0, "登录账号", "office_user")[0],  # row 2: checked against the database
        changed(1, "手机号", "123")[1],  # row 3: checked on its own
        changed(2, "支部编码", "U01B1")[2],  # row 4: checked against row 2
    ]
    html = upload(office_client, xlsx(rows)).content.decode()
    positions = [html.index(f"<li>第{n}行：") for n in (2, 3, 4)]
    assert positions == sorted(positions)


def test_error_sorting_keeps_whole_file_messages_first_and_rows_in_number_order():
    errors = ["第10行：丙。", "第9行：乙一。", "缺少说明。", "第9行：乙二。", "第2行：甲。"]
    plan = import_plan.plan_import([], import_plan.Snapshot(), errors)
    assert plan.errors == [
        "缺少说明。",
        "第2行：甲。",
        "第9行：乙一。",
        "第9行：乙二。",
        "第10行：丙。",
    ]


def test_rows_are_checked_against_the_database(office_client, secretary_a, office, branch_b):
    rows = [
        ["U-X", "县水利局", "X1", "新支部一", 5, "甲", "13800000001", "new_one"],
        ["U01", "县委办公室", "U01B1", "一支部", 5, "乙", "13800000002", "sec_a"],
        ["U01", "县委办公室", "U01B2", "二支部", 5, "丙", "13800000003", "office_user"],
        ["U01", "县委办公室", "U-B-1", "财政局支部", 5, "丁", "13800000004", "new_two"],
    ]
    html = upload(office_client, xlsx(rows)).content.decode()
    assert (
        "第2行：单位编码“U-X”在系统中不存在，而单位名称“县水利局”对应的编码是“U-A”，请核对单位编码。"
        in html
    )
    assert (
        "第3行：登录账号“sec_a”已是“县水利局机关党支部”（U-A-1）的书记账号，不能再用于“一支部”。"
        in html
    )
    assert "第4行：登录账号“office_user”已被其他账号（不是支部书记账号）使用，请换一个。" in html
    assert (
        "第5行：支部编码“U-B-1”在系统中属于“县财政局”（U-B），不能通过导入调整到其他单位。" in html
    )
    assert Unit.objects.count() == 2 and Branch.objects.count() == 2


def test_an_inactive_branch_is_skipped(office_client):
    import_file(office_client, xlsx())
    Branch.objects.filter(code="U02B1").update(is_active=False)
    before = state()
    preview = office_client.get(upload(office_client, xlsx()).url).content.decode()
    assert "该支部已停用，本行未导入" in preview
    commit(office_client)
    assert state() == before


def too_many_rows():
    return xlsx(
        [
            ["U01", "县委办公室", f"B{i}", f"支部{i}", 1, "某", "13800000000", f"u{i}"]
            for i in range(import_sheet.MAX_ROWS + 1)
        ]
    )


MALFORMED = [
    (
        "csv",
        lambda: ",".join(HEADER).encode("utf-8") + b"\nU01,x,y,z,1,a,13800000000,u\n",
        "不是 Excel（.xlsx）格式",
    ),
    ("random bytes", lambda: bytes(range(256)) * 40, "不是 Excel（.xlsx）格式"),
    ("zip, not xlsx", lambda: _zip_bytes(), "不是 Excel（.xlsx）格式"),
    (
        "wrong headers",
        lambda: xlsx(header=["编码", *HEADER[1:]]),
        "缺少列：单位编码；无法识别的列：编码",
    ),
    (
        "missing column",
        lambda: xlsx(header=HEADER[:-1], rows=[r[:-1] for r in ROWS]),
        "缺少列：登录账号",
    ),
    ("header only", lambda: xlsx(rows=[]), "文件中没有数据行"),
    ("too many rows", too_many_rows, "名单超过 5000 行"),
    ("over 2 MB", lambda: b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), "文件过大"),
]


def _zip_bytes():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("make,message", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_files_are_refused_and_change_nothing(office_client, make, message):
    before = state()
    response = upload(office_client, make())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before
    assert "people_import" not in office_client.session


def test_commit_refuses_if_the_organisation_changed_after_the_preview(office_client):
    upload(office_client, xlsx())
    token = csrf_token_from(office_client.get(reverse("people_import_preview")).content.decode())
    make_user("lihm", role=User.Role.OFFICE)  # someone takes a login name meanwhile
    response = office_client.post(
        reverse("people_import_commit"), {"csrfmiddlewaretoken": token}, follow=True
    )
    html = response.content.decode()
    assert "第3行：登录账号“lihm”已被其他账号（不是支部书记账号）使用" in html
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).exists()


def test_commit_refuses_a_plan_other_than_the_one_previewed(office_client, office):
    upload(office_client, xlsx())
    token = csrf_token_from(office_client.get(reverse("people_import_preview")).content.decode())
    Unit.objects.create(code="U02", name="县审计局（旧名）")
    response = office_client.post(
        reverse("people_import_commit"), {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "预览之后系统中的组织或账号已有变动" in response.content.decode()
    assert Unit.objects.count() == 1
    # The refreshed preview now shows the rename, and committing it works.
    assert "县审计局（旧名）" in response.content.decode()
    commit(office_client)
    assert Unit.objects.get(code="U02").name == "县审计局"


def test_a_tampered_stored_upload_is_not_committed(office_client, upload_dir):
    upload(office_client, xlsx())
    (stored,) = upload_dir.glob("*.xlsx")
    stored.write_bytes(xlsx(changed(0, "登录账号", "intruder")))
    token = csrf_token_from(office_client.get(reverse("people_import")).content.decode())
    response = office_client.post(reverse("people_import_commit"), {"csrfmiddlewaretoken": token})
    assert response.url == reverse("people_import")
    assert not User.objects.filter(username="intruder").exists()


def test_cancel_forgets_the_upload(office_client, upload_dir):
    upload(office_client, xlsx())
    token = csrf_token_from(office_client.get(reverse("people_import_preview")).content.decode())
    office_client.post(reverse("people_import_cancel"), {"csrfmiddlewaretoken": token})
    assert list(upload_dir.glob("*.xlsx")) == []
    assert office_client.get(reverse("people_import_preview")).url == reverse("people_import")


def test_commit_without_csrf_token_is_refused(office_client):
    upload(office_client, xlsx())
    assert office_client.post(reverse("people_import_commit")).status_code == 403
    assert not Unit.objects.exists()


def test_export_round_trips_to_unchanged(office_client):
    import_file(office_client, xlsx())
    exported = office_client.get(reverse("people_export")).content
    preview = office_client.get(upload(office_client, exported).url).content.decode()
    assert "全部不变" in preview


def test_a_failed_upload_replaces_an_earlier_pending_one(office_client, upload_dir):
    upload(office_client, xlsx())
    upload(office_client, b"not a workbook")
    assert list(upload_dir.glob("*.xlsx")) == []
    assert office_client.get(reverse("people_import_preview")).url == reverse("people_import")
