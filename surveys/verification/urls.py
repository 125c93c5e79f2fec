"""The office's verification pages under /office/ and a branch's published results."""

from django.urls import path

from surveys.verification import views

urlpatterns = [
    path(
        "office/rounds/<int:round_id>/verification/",
        views.queue,
        name="verification_queue",
    ),
    path(
        "office/rounds/<int:round_id>/verification/publish/",
        views.publish,
        name="verification_publish",
    ),
    path(
        "office/submissions/<int:pk>/verification/",
        views.review_page,
        name="verification_review",
    ),
    path("office/appeals/<int:pk>/decide/", views.decide, name="appeal_decide"),
    path("submissions/<int:pk>/results/", views.results, name="verification_results"),
    path("appeals/files/<int:pk>/", views.appeal_file, name="appeal_file"),
    path("appeals/files/<int:pk>/thumbnail/", views.appeal_thumbnail, name="appeal_thumbnail"),
]
