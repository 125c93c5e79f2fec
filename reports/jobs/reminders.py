"""What a reminder job (催报) leaves behind: the 催报清单 sheet and the sentences its page
shows, both from the result of surveys.rounds.services.reminders_send."""

from surveys.core import downloads

SHEET_HEADER = ["单位", "党支部", "结果", "催报方式"]
BY_EMAIL, IN_APP_ONLY = "邮件+站内", "仅站内"
RECENT, CLOSED = "未发送：24 小时内已催报过", "未发送：填报时间已过"


def _names(branches):
    return "、".join(b.name for b in branches[:5]) + ("等" if len(branches) > 5 else "")


def sent_text(result):
    """How many reminders went out, by which channel: every one is a notice on the
    secretary's home page (站内提醒); those with an address on record are mailed as well."""
    sent, mailed, in_app = result["sent"], result["by_email"], result["in_app_only"]
    text = f"已向 {len(sent)} 个支部发出催报：邮件 {len(mailed)} 个，站内提醒 {len(sent)} 个。"
    if in_app:
        text += (
            f"其中 {len(in_app)} 个支部（{_names(in_app)}）的书记没有登记邮箱，只能在系统内看到"
            "提醒，请电话联系或在“组织与账号”页补充邮箱。"
        )
    return text


def summary(result):
    """The job page's account of a send, one sentence a line."""
    lines = []
    if result["sent"]:
        lines.append(sent_text(result))
    if result["recent"]:
        lines.append(f"{_names(result['recent'])}在 24 小时内已催报过，本次未重复发送。")
    if result["closed"]:
        lines.append(f"{_names(result['closed'])}的填报时间已过，未催报。")
    return "\n".join(lines) or "没有需要催报的支部。"


def sheet_bytes(result):
    """催报清单: one row per branch the send looked at, sent ones first."""
    rows = [
        [b.unit.name, b.name, "已催报", BY_EMAIL if b.reminded_by_email else IN_APP_ONLY]
        for b in result["sent"]
    ]
    rows += [[b.unit.name, b.name, RECENT, "—"] for b in result["recent"]]
    rows += [[b.unit.name, b.name, CLOSED, "—"] for b in result["closed"]]
    sheet = downloads.Sheet("催报清单", SHEET_HEADER, rows, widths=[22, 26, 26, 12], filters=True)
    return downloads.xlsx_bytes([sheet])
