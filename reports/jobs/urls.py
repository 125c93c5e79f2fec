"""Background job URLs, mounted under /reports/ (through reports/exports/urls.py)."""

from django.urls import path

from reports.jobs import views

urlpatterns = [
    path("rounds/<int:round_id>/jobs/<slug:kind>/", views.round_job, name="round_job"),
    path(
        "rounds/<int:round_id>/jobs/<slug:kind>/start",
        views.round_job_start,
        name="round_job_start",
    ),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/file", views.job_file, name="job_file"),
]
