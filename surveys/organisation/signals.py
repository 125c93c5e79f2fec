"""Signal receivers of the organisation feature: each login lockout (django-axes's
user_locked_out) goes into the audit log. Connected by SurveysConfig.ready()."""

from axes.helpers import get_cool_off, get_failure_limit
from axes.signals import user_locked_out
from django.dispatch import receiver

from surveys.audit import events
from surveys.core.text import local_minute
from surveys.organisation.models import User


@receiver(user_locked_out, dispatch_uid="ronghe_record_login_locked")
def record_login_locked(sender, request, username, ip_address, **kwargs):
    # axes sends the signal on the failure that reaches the limit and again on every refused
    # attempt while locked (each moves the cool-off on); one lockout is one audit record.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, getattr(request, "axes_credentials", None)):
        return
    account = User.objects.select_related("branch").filter(username=username).first()
    events.login_locked(
        branch=account.branch if account else None,
        username=username or "",
        ip=ip_address or "",
        failures=failures,
        locked_until=local_minute(request.axes_attempt_time + get_cool_off(request)),
    )
