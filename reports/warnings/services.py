"""The writes of warning rules."""

from django.db import transaction

from reports import store
from reports.warnings.models import WarningRules
from surveys.audit import events
from surveys.core.permissions import require_office


@transaction.atomic
def set_rules(*, actor, round_, form) -> WarningRules:
    """Save the round's rules from a valid RulesForm; every cached page moves on."""
    require_office(actor, "只有机关工委可以设置预警规则。")
    changes = {
        form.fields[name].label: [_shown(form.initial.get(name)), _shown(form.cleaned_data[name])]
        for name in form.changed_data
    }
    rules = form.save(commit=False)
    rules.round = round_
    rules.save()
    store.bump_version()
    events.warning_rules_changed(actor=actor, round_=round_, changes=changes)
    return rules


def _shown(value):
    if value is None or value == "":
        return "（不启用）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return f"{value:g}" if isinstance(value, float) else str(value)
