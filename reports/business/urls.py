from django.urls import path

from reports.business import views

urlpatterns = [
    path("rounds/<int:round_id>/business/", views.business_page, name="business_page"),
    path("rounds/<int:round_id>/business/upload/", views.business_upload, name="business_upload"),
    path(
        "rounds/<int:round_id>/business/confirm/", views.business_confirm, name="business_confirm"
    ),
    path("rounds/<int:round_id>/business/cancel/", views.business_cancel, name="business_cancel"),
    path("rounds/<int:round_id>/business/clear/", views.business_clear, name="business_clear"),
    path(
        "rounds/<int:round_id>/business/template.xlsx",
        views.business_template,
        name="business_template",
    ),
    path(
        "rounds/<int:round_id>/business/quadrant.<str:fmt>",
        views.business_chart,
        name="business_chart",
    ),
]
