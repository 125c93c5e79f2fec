"""Background job URLs, mounted under /reports/ (through reports/exports/urls.py)."""

from django.urls import path

from reports.jobs import views

urlpatterns = [
    path("rounds/<int:round_id>/jobs/<slug:kind>/", views.round_job, name="round_job"),
    # Before the general start: 催报 takes the branches from the form, and a post to the
    # general start of kind "reminders" (this very path) lands here.
    path(
        "rounds/<int:round_id>/jobs/reminders/start",
        views.reminders_start,
        name="reminders_start",
    ),
    path(
        "rounds/<int:round_id>/jobs/<slug:kind>/start",
        views.round_job_start,
        name="round_job_start",
    ),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/file", views.job_file, name="job_file"),
]
