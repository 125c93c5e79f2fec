from django.contrib.auth import views as auth_views
from django.urls import include, path

from surveys import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("office/", views.office_home, name="office_home"),
    path("office/rounds/<int:round_id>/", views.office_round, name="office_round"),
    path("office/people/", include("surveys.onboarding_urls")),
    path("office/questionnaires/", include("surveys.questionnaire_urls")),
]
