from django.contrib import admin
from django.urls import include, path

from surveys.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("", include("surveys.urls")),
]
