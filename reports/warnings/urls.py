from django.urls import path

from reports.warnings import views

urlpatterns = [
    path("rounds/<int:round_id>/warnings/", views.warnings_page, name="warnings_page"),
]
