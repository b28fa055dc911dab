"""Bulk inserts for ``seed_city`` driven by the models' own metadata.

``bulk_create`` spends most of its time compiling SQL for every object (~30 µs a row), which makes
five million rows take half an hour. This writer asks each model for its table, columns, defaults
and the backend's value adapters once, then sends plain tuples: ``executemany`` on SQLite, ``COPY``
on PostgreSQL. It never bypasses a constraint: the database checks every row as usual.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from django.db import connection, models, transaction
from django.db.models.fields import NOT_PROVIDED


def _adapter(field) -> Callable:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    if isinstance(field, (models.UUIDField, models.FileField)):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


class Spec:
    """How one model's rows are written: its columns, their defaults and adapters."""

    def __init__(self, model):
        self.model = model
        # Link tables of many-to-many fields number their rows themselves.
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not (model._meta.auto_created and f.primary_key)
        ]
        self.table = model._meta.db_table
        self.columns = [f.column for f in self.fields]
        self.names = [f.attname for f in self.fields]
        self.defaults = {
            f.attname: f.default
            for f in self.fields
            if f.default is not NOT_PROVIDED and not callable(f.default)
        }
        for f in self.fields:
            if f.null and f.attname not in self.defaults:
                self.defaults[f.attname] = None
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                self.defaults.setdefault(f.attname, "")
        self.adapters = [_adapter(f) for f in self.fields]

    def row(self, values: dict) -> tuple:
        defaults = self.defaults
        try:
            return tuple(
                adapt(values[name] if name in values else defaults[name])
                for name, adapt in zip(self.names, self.adapters, strict=True)
            )
        except KeyError as missing:
            raise ValueError(f"{self.model.__name__}: no value for {missing}") from None


class Rows:
    """Rows waiting to be written, in an order that satisfies the foreign keys, with explicit
    primary keys handed out here (so events can point at their problem before it is written)."""

    def __init__(self, order: tuple):
        self.order = order
        self.specs = {model: Spec(model) for model in order}
        self.pending: dict = {model: [] for model in order}
        self.next: dict = {}
        self.written = Counter()

    def pk(self, model) -> int:
        if model not in self.next:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next[model] = (last or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value

    def add(self, model, **values) -> None:
        self.pending[model].append(self.specs[model].row(values))

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model in self.order:
                rows = self.pending[model]
                if rows:
                    self._write(cursor, self.specs[model], rows)
                    self.written[model._meta.model_name] += len(rows)
                    rows.clear()

    def _write(self, cursor, spec: Spec, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in spec.columns)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(spec.table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(spec.columns))
        cursor.executemany(f"INSERT INTO {quote(spec.table)} ({columns}) VALUES ({marks})", rows)
