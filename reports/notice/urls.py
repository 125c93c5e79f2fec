"""The Word 通报's URL, mounted under /reports/."""

from django.urls import path

from reports.notice import views

urlpatterns = [
    path("rounds/<int:round_id>/notice.docx", views.notice_docx, name="notice_docx"),
]
