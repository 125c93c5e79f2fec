from django.contrib.auth import views as auth_views
from django.urls import include, path

from surveys import audit_views, office_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("office/", views.office_home, name="office_home"),
    path("office/rounds/new/", office_views.round_new, name="round_new"),
    path("office/rounds/<int:round_id>/", office_views.office_round, name="office_round"),
    path("office/rounds/<int:round_id>/edit/", office_views.round_edit, name="round_edit"),
    path("office/rounds/<int:round_id>/close/", office_views.round_close, name="round_close"),
    path("office/rounds/<int:round_id>/extend/", office_views.round_extend, name="round_extend"),
    path(
        "office/rounds/<int:round_id>/not-submitted.xlsx",
        office_views.not_submitted_xlsx,
        name="not_submitted_xlsx",
    ),
    path("office/rounds/<int:round_id>/remind/", office_views.reminders_send, name="remind"),
    path(
        "office/submissions/<int:pk>/return/",
        office_views.submission_return,
        name="submission_return",
    ),
    path("submissions/<int:pk>/history/", office_views.submission_history, name="history"),
    path("office/audit/", audit_views.audit_log, name="audit_log"),
    path("office/people/", include("surveys.onboarding_urls")),
    path("office/questionnaires/", include("surveys.questionnaire_urls")),
]
