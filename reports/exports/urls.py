"""Export URLs, mounted under /reports/."""

from django.urls import include, path

from reports.exports import views

urlpatterns = [
    path("rounds/<int:round_id>/export.xlsx", views.round_xlsx, name="export_round_xlsx"),
    path("rounds/<int:round_id>/answers.csv", views.round_csv, name="export_round_csv"),
    path(
        "rounds/<int:round_id>/units/<int:unit_id>/report.pdf",
        views.unit_pdf,
        name="export_unit_pdf",
    ),
    path("rounds/<int:round_id>/reports.pdf", views.round_pdf, name="export_round_pdf"),
    path("", include("reports.jobs.urls")),
]
