"""Who may open a page: decorators for secretaries' and the office's views."""

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
