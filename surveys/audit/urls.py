"""The office's audit log, mounted at /office/audit/."""

from django.urls import path

from surveys.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
