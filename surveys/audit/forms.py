"""The audit log's filter form."""

from django import forms
from django.db.models import Q

from surveys.audit.models import AuditEvent
from surveys.organisation.models import Unit, User
from surveys.rounds.models import Round


class AuditFilterForm(forms.Form):
    round = forms.ModelChoiceField(
        label="批次", queryset=Round.objects.all(), required=False, empty_label="全部"
    )
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.all(), required=False, empty_label="全部"
    )
    # Office staff first, then secretaries by username (which follows the branch codes);
    # each labelled with the Chinese name (User.__str__).
    actor = forms.ModelChoiceField(
        label="操作人",
        queryset=User.objects.annotate(is_secretary_role=Q(role=User.Role.SECRETARY)).order_by(
            "is_secretary_role", "username"
        ),
        required=False,
        empty_label="全部",
    )
    action = forms.ChoiceField(
        label="操作", choices=[("", "全部")] + AuditEvent.Action.choices, required=False
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
