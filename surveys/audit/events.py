"""The audit recorders: one function per kind of event, each writing one AuditEvent row.

Every write that is audited calls one of these, with keyword arguments only, so the
action, the round / branch / submission it links and the keys of its `detail` are set in
one place. Each docstring lists the detail keys; surveys/audit/views.py reads them for the
office's log. Values arrive ready to store (times already as local "YYYY-MM-DD HH:MM"
text): this module is on the floor and imports only the audit model.
"""

from surveys.audit.models import AuditEvent

Action = AuditEvent.Action


def _record(action, *, actor, detail, round_=None, branch=None, submission=None, at=None):
    links = {"round": round_, "branch": branch}
    if submission is not None:
        # A submission's event links its round and branch by id: no query for them.
        links = {
            "submission": submission,
            "round_id": submission.round_id,
            "branch_id": submission.branch_id,
        }
    if at is not None:
        links["at"] = at
    return AuditEvent.objects.create(actor=actor, action=action, detail=detail, **links)


def _present(**items):
    """The items whose value was given (not None), in the order written."""
    return {key: value for key, value in items.items() if value is not None}


# ---------------------------------------------------------------- organisation ----


def password_reset(*, actor, branch, note) -> AuditEvent:
    """The office gave a secretary a new password (PASSWORD_RESET), linked to the branch.

    detail: note (whose password, to be changed at the next login)."""
    return _record(Action.PASSWORD_RESET, actor=actor, branch=branch, detail={"note": note})


def password_changed(*, actor, branch, note) -> AuditEvent:
    """A user changed their own password (PASSWORD_CHANGED), linked to their branch if any.

    detail: note (a forced first change or an ordinary one)."""
    return _record(Action.PASSWORD_CHANGED, actor=actor, branch=branch, detail={"note": note})


def branch_changed(*, actor, branch, changes, note) -> AuditEvent:
    """A branch was deactivated or reactivated (BRANCH_CHANGED).

    detail: changes ({"启用": [old, new]}), note (accounts stopped or restored with it)."""
    return _record(
        Action.BRANCH_CHANGED, actor=actor, branch=branch, detail={"changes": changes, "note": note}
    )


def secretary_changed(*, actor, branch, changes, note) -> AuditEvent:
    """A branch was handed to another secretary (SECRETARY_CHANGED).

    detail: changes ({"书记": [old names, new name]}), note ("" or the old accounts' fate)."""
    return _record(
        Action.SECRETARY_CHANGED,
        actor=actor,
        branch=branch,
        detail={"changes": changes, "note": note},
    )


def login_locked(*, branch, username, ip, failures, locked_until) -> AuditEvent:
    """Too many wrong passwords for one username from one client: its logins from there are
    refused until the cool-off ends (LOGIN_LOCKED). No actor: whoever typed is unknown; linked
    to the branch when the username is a secretary's.

    detail: username (as typed), ip (the client's address), failures (wrong passwords
    counted), locked_until (local time text)."""
    return _record(
        Action.LOGIN_LOCKED,
        actor=None,
        branch=branch,
        detail={
            "username": username,
            "ip": ip,
            "failures": failures,
            "locked_until": locked_until,
        },
    )


def account_unlocked(*, actor, branch, username, cleared) -> AuditEvent:
    """The office lifted an account's login lockout (ACCOUNT_UNLOCKED), linked to the branch
    when the account is a secretary's.

    detail: username, cleared (how many failure records were removed; not shown)."""
    return _record(
        Action.ACCOUNT_UNLOCKED,
        actor=actor,
        branch=branch,
        detail={"username": username, "cleared": cleared},
    )


def email_changed(*, actor, branch, username, old, new) -> AuditEvent:
    """The office set or cleared a secretary's e-mail address, the channel 催报 mails to
    (EMAIL_CHANGED).

    detail: username, changes ({"邮箱": [old, new]}; "" for none)."""
    return _record(
        Action.EMAIL_CHANGED,
        actor=actor,
        branch=branch,
        detail={"username": username, "changes": {"邮箱": [old, new]}},
    )


def people_imported(*, actor, note, file, counts) -> AuditEvent:
    """A bulk import (批量导入) of units, branches and secretaries was applied (IMPORTED).

    detail: note (the plan's summary), file (the uploaded file's name), then every key of
    `counts` (how many of each kind were created or changed; kept, not shown)."""
    return _record(Action.IMPORTED, actor=actor, detail={"note": note, "file": file, **counts})


# ---------------------------------------------------------------- questionnaires --


def questionnaire_loaded(*, actor, code, version, sha256, change) -> AuditEvent:
    """The instrument file (YAML) was loaded into a version (QUESTIONNAIRE_LOADED); the
    actor is None when a management command loads it.

    detail: code, version (the questionnaire's 第N版), sha256 (the file's digest, not
    shown), change ("created" or "updated")."""
    return _record(
        Action.QUESTIONNAIRE_LOADED,
        actor=actor,
        detail={"code": code, "version": version, "sha256": sha256, "change": change},
    )


def questionnaire_imported(*, actor, questionnaire, filename) -> AuditEvent:
    """An uploaded file (XLSX, JSON or YAML) became a new version (QUESTIONNAIRE_LOADED).

    detail: name (the questionnaire's code), version, note ("从文件 <filename> 导入")."""
    return _record(
        Action.QUESTIONNAIRE_LOADED,
        actor=actor,
        detail={
            "name": questionnaire.code,
            "version": questionnaire.version,
            "note": f"从文件 {filename} 导入",
        },
    )


def questionnaire_changed(*, actor, questionnaire, note, changes=None) -> AuditEvent:
    """A version was cloned, edited, weighted by AHP or deleted, or one of its questions
    added, changed or deleted (QUESTIONNAIRE_CHANGED).

    detail: name (the questionnaire's code), version, note (what was done), and changes
    ({label: [old, new]}) when given."""
    detail = {"name": questionnaire.code, "version": questionnaire.version, "note": note}
    return _record(
        Action.QUESTIONNAIRE_CHANGED, actor=actor, detail=detail | _present(changes=changes)
    )


# ---------------------------------------------------------------- rounds ----------


def round_created(*, actor, round_, questionnaire, opens_at, closes_at, roster) -> AuditEvent:
    """A round was created (ROUND_CREATED).

    detail: name (the round's), questionnaire (the version's label), opens_at, closes_at
    (local time text), roster (how many branches are on it)."""
    return _record(
        Action.ROUND_CREATED,
        actor=actor,
        round_=round_,
        detail={
            "name": round_.name,
            "questionnaire": questionnaire,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "roster": roster,
        },
    )


def round_changed(
    *,
    actor,
    round_,
    changes,
    branch=None,
    note=None,
    reason=None,
    added=None,
    cancelled_extensions=None,
) -> AuditEvent:
    """A round's settings, roster or deadline changed (ROUND_CHANGED), linked to the branch
    when one branch is concerned (its own extension, or the only one added).

    detail: changes ({field: [old, new]}; "branch_closes_at" for one branch's deadline),
    then those given of: note, reason (of an extension), added (codes of branches put on
    the roster; not shown), cancelled_extensions ([{branch, closes_at}]; not shown)."""
    detail = {"changes": changes} | _present(
        note=note, reason=reason, added=added, cancelled_extensions=cancelled_extensions
    )
    return _record(Action.ROUND_CHANGED, actor=actor, round_=round_, branch=branch, detail=detail)


def branches_reminded(*, actor, round_, branches, skipped_recent) -> AuditEvent:
    """催报 was sent for a round (REMINDED).

    detail: branches (names reminded), skipped_recent (names reminded in the last 24 hours,
    not sent again)."""
    return _record(
        Action.REMINDED,
        actor=actor,
        round_=round_,
        detail={"branches": branches, "skipped_recent": skipped_recent},
    )


# ---------------------------------------------------------------- submissions -----


def draft_saved(*, actor, submission, answered, at=None) -> AuditEvent:
    """A secretary saved a draft (DRAFT_SAVED), linked to the submission, its round and
    branch; `at` is the save's own time.

    detail: version (the submission's edit counter after the save; not shown), answered
    (how many questions have an answer)."""
    return _record(
        Action.DRAFT_SAVED,
        actor=actor,
        submission=submission,
        at=at,
        detail={"version": submission.version, "answered": answered},
    )


def submission_submitted(*, actor, submission, version, snapshot, at=None) -> AuditEvent:
    """A secretary submitted (SUBMITTED), linked to the submission, its round and branch;
    `at` is the submission's own time.

    detail: version (the edit counter; not shown), snapshot (which submitted version this
    is, shown as 第 N 次提交)."""
    return _record(
        Action.SUBMITTED,
        actor=actor,
        submission=submission,
        at=at,
        detail={"version": version, "snapshot": snapshot},
    )


def submission_returned(*, actor, submission, reason, closes_at) -> AuditEvent:
    """The office returned (退回) a submitted submission (RETURNED).

    detail: reason (shown to the secretary), closes_at (the branch's new deadline as local
    time text, or None when its deadline had not passed)."""
    return _record(
        Action.RETURNED,
        actor=actor,
        submission=submission,
        detail={"reason": reason, "closes_at": closes_at},
    )


def score_excluded(*, actor, submission, reason="") -> AuditEvent:
    """The office excluded a submission from the statistics (SCORE_EXCLUDED).

    detail: reason, only when one is given (else empty)."""
    return _record(
        Action.SCORE_EXCLUDED,
        actor=actor,
        submission=submission,
        detail={"reason": reason} if reason else {},
    )


def score_restored(*, actor, submission, reason="") -> AuditEvent:
    """The office counted an excluded submission again (SCORE_RESTORED).

    detail: reason, only when one is given (else empty)."""
    return _record(
        Action.SCORE_RESTORED,
        actor=actor,
        submission=submission,
        detail={"reason": reason} if reason else {},
    )


# ---------------------------------------------------------------- evidence ----


def evidence_added(*, actor, submission, item, file) -> AuditEvent:
    """A secretary attached a 佐证材料 file to an item (EVIDENCE_ADDED).

    detail: item (question code), file (the name as uploaded)."""
    return _record(
        Action.EVIDENCE_ADDED,
        actor=actor,
        submission=submission,
        detail={"item": item, "file": file},
    )


def evidence_removed(*, actor, submission, item, file) -> AuditEvent:
    """A secretary removed a draft's 佐证材料 file (EVIDENCE_REMOVED). detail: item, file."""
    return _record(
        Action.EVIDENCE_REMOVED,
        actor=actor,
        submission=submission,
        detail={"item": item, "file": file},
    )


# ---------------------------------------------------------------- verification ----


def submission_verified(*, actor, submission, changes, reasons) -> AuditEvent:
    """The office set or cleared verified values (VERIFIED).

    detail: changes ({item: [self value, verified value or "（撤销考评值）"]}), reason (the
    reasons, "item：reason" joined)."""
    return _record(
        Action.VERIFIED,
        actor=actor,
        submission=submission,
        detail={"changes": changes, "reason": "；".join(reasons)},
    )


def round_published(*, actor, round_, appeal_days, margin) -> AuditEvent:
    """The office published a round's verified results (ROUND_PUBLISHED). detail: note."""
    return _record(
        Action.ROUND_PUBLISHED,
        actor=actor,
        round_=round_,
        detail={"note": f"申诉期 {appeal_days} 天；自评偏高阈值 {margin:g} 分"},
    )


def appeal_lodged(*, actor, submission, text, files=()) -> AuditEvent:
    """A branch appealed its verified results (APPEAL_LODGED).

    detail: reason (the text), files (the evidence files' names as shown, maybe none)."""
    return _record(
        Action.APPEAL_LODGED,
        actor=actor,
        submission=submission,
        detail={"reason": text, "files": list(files)},
    )


def appeal_decided(*, actor, submission, decision, reason, item=None) -> AuditEvent:
    """The office decided an appeal, 维持 or 调整 (APPEAL_DECIDED).

    detail: decision, reason, item (the adjusted question's code, for 调整)."""
    return _record(
        Action.APPEAL_DECIDED,
        actor=actor,
        submission=submission,
        detail=_present(decision=decision, reason=reason, item=item),
    )


# ---------------------------------------------------------------- other voices ----


def rater_groups_added(*, actor, round_, note, count) -> AuditEvent:
    """The office added rater groups to a round (RATER_GROUPS_ADDED). detail: note, count."""
    return _record(
        Action.RATER_GROUPS_ADDED, actor=actor, round_=round_, detail={"note": note, "count": count}
    )


def rater_codes_issued(*, actor, round_, name, count, branch=None) -> AuditEvent:
    """The office issued one-time rater codes to a group (RATER_CODES_ISSUED).

    detail: name (the group), count. Nothing about who received which code: no one knows."""
    return _record(
        Action.RATER_CODES_ISSUED,
        actor=actor,
        round_=round_,
        branch=branch,
        detail={"name": name, "count": count},
    )


# ---------------------------------------------------------------- from diagnosis to action ----


def business_imported(*, actor, round_, file, count) -> AuditEvent:
    """The office replaced a round's business results (BUSINESS_IMPORTED).

    detail: file (the upload's name; empty when the results were deleted), count."""
    return _record(
        Action.BUSINESS_IMPORTED, actor=actor, round_=round_, detail={"file": file, "count": count}
    )


def warning_rules_changed(*, actor, round_, changes) -> AuditEvent:
    """The office set a round's warning rules (WARNING_RULES_CHANGED).

    detail: changes ({field label: [old, new]})."""
    return _record(
        Action.WARNING_RULES_CHANGED, actor=actor, round_=round_, detail={"changes": changes}
    )


def task_created(*, actor, round_, branch, title, due_date, unit) -> AuditEvent:
    """The office set a rectification task (TASK_CREATED).

    detail: title, name (the unit), due_date (local date text)."""
    return _record(
        Action.TASK_CREATED,
        actor=actor,
        round_=round_,
        branch=branch,
        detail={"title": title, "name": unit, "due_date": due_date},
    )


def task_reported(*, actor, round_, branch, title, status, note, files=()) -> AuditEvent:
    """A secretary reported progress on a task (TASK_REPORTED).

    detail: title, status, note, files (the evidence files' names as shown, maybe none)."""
    return _record(
        Action.TASK_REPORTED,
        actor=actor,
        round_=round_,
        branch=branch,
        detail={"title": title, "status": status, "note": note, "files": list(files)},
    )


def task_withdrawn(*, actor, round_, branch, title) -> AuditEvent:
    """The office withdrew a task (TASK_WITHDRAWN). detail: title."""
    return _record(
        Action.TASK_WITHDRAWN, actor=actor, round_=round_, branch=branch, detail={"title": title}
    )
