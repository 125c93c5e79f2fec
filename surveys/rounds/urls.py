"""The office's rounds, mounted at /office/. 催报 is sent by a background job: the round
page's forms post to reports' reminders_start (reports/jobs/urls.py)."""

from django.urls import path

from surveys.rounds import views

urlpatterns = [
    path("", views.office_home, name="office_home"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:round_id>/", views.office_round, name="office_round"),
    path("rounds/<int:round_id>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("rounds/<int:round_id>/extend/", views.round_extend, name="round_extend"),
    path(
        "rounds/<int:round_id>/not-submitted.xlsx",
        views.not_submitted_xlsx,
        name="not_submitted_xlsx",
    ),
]
