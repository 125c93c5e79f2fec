"""Who may do what: decorators for secretaries' and the office's views, and the
office check the services make themselves."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def secretary_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_secretary:
            raise PermissionDenied("只有支部书记可以填写答卷。")
        return view(request, *args, **kwargs)

    return wrapper


def office_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_office:
            raise PermissionDenied("只有机关工委工作人员可以查看此页面。")
        return view(request, *args, **kwargs)

    return wrapper


# Services ---------------------------------------------------------------------------


class NotOffice(PermissionDenied):
    """A service refused to someone who is not the office; shown as a 403 with its message."""


OFFICE_ONLY = "只有机关工委工作人员可以执行此操作。"


def require_office(user, message=OFFICE_ONLY):
    """The services' own check that the user is the office (the views are already behind
    office_required: this is defence in depth). Raises NotOffice with `message`."""
    if not user.is_office:
        raise NotOffice(message)
