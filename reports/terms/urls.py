"""Free-text keyword URLs, mounted under /reports/."""

from django.urls import path

from reports.terms import views

urlpatterns = [
    path("rounds/<int:round_id>/terms/", views.round_terms, name="round_terms"),
    path(
        "rounds/<int:round_id>/terms/chart.<str:fmt>",
        views.round_terms_chart,
        name="round_terms_chart",
    ),
]
