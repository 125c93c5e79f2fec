"""Every page of the surveys app: each feature's own urls.py, mounted where it has always been."""

from django.urls import include, path

urlpatterns = [
    path("", include("surveys.organisation.login_urls")),
    path("", include("surveys.submissions.urls")),
    path("", include("surveys.evidence.urls")),
    path("office/", include("surveys.rounds.urls")),
    path("office/audit/", include("surveys.audit.urls")),
    path("office/people/", include("surveys.organisation.urls")),
    path("office/questionnaires/", include("surveys.questionnaires.urls")),
    path("", include("surveys.ratings.urls")),
    path("", include("surveys.verification.urls")),
]
