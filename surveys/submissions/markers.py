"""The markers of the questionnaire page's skeleton (surveys/submissions/page.py): NUL-
delimited, so no rendered question text can hold one."""

MARK = "\x00"


def marker(*fields):
    return MARK + "|".join(fields) + MARK
