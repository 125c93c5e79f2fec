"""A secretary's evidence endpoints and the permission-checked downloads."""

from django.urls import path

from surveys.evidence import views

urlpatterns = [
    path("rounds/<int:round_id>/evidence/", views.evidence_list, name="evidence_list"),
    path(
        "rounds/<int:round_id>/evidence/<str:code>/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("submissions/<int:pk>/evidence/", views.submission_evidence, name="submission_evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/thumbnail/", views.evidence_thumbnail, name="evidence_thumbnail"),
]
