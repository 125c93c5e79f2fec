from django.conf import settings


def ronghe(request):
    return {"RONGHE_DEMO": settings.RONGHE_DEMO}
