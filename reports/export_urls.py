# Placeholder until the exports land (being written in parallel); replaced by the real file.
from django.http import Http404
from django.urls import path


def _pending(request, **kwargs):
    raise Http404


urlpatterns = [
    path("rounds/<int:round_id>/export.xlsx", _pending, name="export_round_xlsx"),
    path("rounds/<int:round_id>/answers.csv", _pending, name="export_round_csv"),
    path("rounds/<int:round_id>/units/<int:unit_id>/report.pdf", _pending, name="export_unit_pdf"),
    path("rounds/<int:round_id>/reports.pdf", _pending, name="export_round_pdf"),
]
