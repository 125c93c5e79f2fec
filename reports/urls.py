from django.urls import include, path

from reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rounds/<int:round_id>/units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path(
        "rounds/<int:round_id>/charts/<slug:name>.<str:fmt>",
        views.round_chart,
        name="round_chart",
    ),
    path(
        "rounds/<int:round_id>/units/<int:unit_id>/charts/<slug:name>.<str:fmt>",
        views.unit_chart,
        name="unit_chart",
    ),
    path("my/<int:submission_id>/", views.branch_report, name="branch_report"),
    path(
        "my/<int:submission_id>/charts/<slug:name>.<str:fmt>",
        views.branch_chart,
        name="branch_chart",
    ),
    path("my/<int:submission_id>/report.pdf", views.branch_pdf, name="branch_pdf"),
    path("scores/<int:submission_id>/exclude/", views.score_exclude, name="score_exclude"),
    path("", include("reports.exports.urls")),
    path("", include("reports.notice.urls")),
    path("", include("reports.terms.urls")),
    path("", include("reports.business.urls")),
    path("", include("reports.warnings.urls")),
    path("", include("reports.rectification.urls")),
]
