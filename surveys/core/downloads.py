"""File downloads: one response for every XLSX the app sends."""

import io
from urllib.parse import quote

import pandas as pd
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(frame, filename, sheet):
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        writer.sheets[sheet].freeze_panes = "A2"
        for column in writer.sheets[sheet].columns:
            writer.sheets[sheet].column_dimensions[column[0].column_letter].width = 22
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
