"""The writes of warning rules."""

from django.db import transaction

from reports import store
from reports.warnings.models import WarningRules
from surveys.core.permissions import require_office


@transaction.atomic
def set_rules(*, actor, round_, form) -> WarningRules:
    """Save the round's rules from a valid RulesForm; every cached page moves on."""
    require_office(actor, "只有机关工委可以设置预警规则。")
    rules = form.save(commit=False)
    rules.round = round_
    rules.save()
    store.bump_version()
    return rules
