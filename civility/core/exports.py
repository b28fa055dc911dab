"""Spreadsheet exports that cannot run formulas.

A cell whose text starts with = + - @ (or a tab/carriage return) is read as a formula by Excel and
LibreOffice; text people typed (problem descriptions, titles) is written with a leading
apostrophe instead, which spreadsheets show as plain text (OWASP "CSV injection").
"""

from django_tables2.export import TableExport

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    """django-tables2's export with every text cell passed through ``spreadsheet_safe``."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        safe = [tuple(spreadsheet_safe(value) for value in row) for row in dataset]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in safe:
            dataset.append(row)
        return dataset
