"""A secretary's tasks and questionnaire, a submission's page and history, and the office's 退回."""

from django.urls import path

from surveys.submissions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/history/", views.submission_history, name="history"),
    path("office/submissions/<int:pk>/return/", views.submission_return, name="submission_return"),
]
