"""System checks of the organisation feature: `manage.py check --deploy` fails while an
active account still has the demo password (a database seeded in demo mode, then served for
real). Registered by SurveysConfig.ready()."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import checks
from django.db import DatabaseError
from django.db.models import Count, Q

from surveys.organisation.models import User

SHOWN = 10  # usernames named in the message; the rest as a count


@checks.register(checks.Tags.security, deploy=True)
def demo_password_in_use(app_configs=None, **kwargs):
    demo = settings.RONGHE_DEMO_PASSWORD
    if not demo:
        return []
    active = User.objects.filter(is_active=True)
    try:
        # Hashing is slow (PBKDF2, ~0.2 s each) and the demo seed gives every demo account one
        # shared hash: try each hash that two or more active accounts share, and the hashes of
        # the accounts that matter most (the office, the admin), not every account's.
        shared = (
            active.values("password")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .values_list("password", flat=True)
        )
        privileged = active.filter(
            Q(role=User.Role.OFFICE) | Q(is_staff=True) | Q(is_superuser=True)
        ).values_list("password", flat=True)
        hashes = set(shared) | set(privileged)
        demo_hashes = [h for h in hashes if h and check_password(demo, h)]
        if not demo_hashes:
            return []
        usernames = list(
            active.filter(password__in=demo_hashes)
            .order_by("username")
            .values_list("username", flat=True)
        )
    except DatabaseError:
        return []  # no database (or not migrated) yet: nothing to check
    named = "、".join(usernames[:SHOWN])
    if len(usernames) > SHOWN:
        named += f" 等 {len(usernames)} 个"
    return [
        checks.Error(
            f"{len(usernames)} 个启用的账号仍在使用演示密码（{named}）："
            "这是以演示模式初始化的数据库，不能用于正式服务。",
            hint=(
                "请为这些账号重置密码（机关工委在“组织与账号”页点“重置密码”，或 "
                "manage.py changepassword <账号>），或停用这些账号；正式部署应使用未导入"
                "演示数据的新数据库。"
            ),
            id="ronghe.E001",
        )
    ]
