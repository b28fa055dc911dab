"""Placeholder: being written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


report_index = report_list = report_detail = report_docx = report_xlsx = _todo
