"""Keyset ("seek") pagination for deep pages of a sorted list (issue 11).

``OFFSET 50000`` makes the database read and throw away fifty thousand rows before it shows the
page. A page reached with 下一页 or 上一页 instead knows the sort key of the row it continues
from; the next page is then "the first rows after (key, id)", which an index on the sort key
answers directly. The cursor in the link carries that key and the ordering it belongs to, so a
stale cursor (another sort, a malformed value) is ignored and the page is read with OFFSET.

The ordering is made total with the primary key as the last key. NULLs sort where the database
puts them (``nulls_order_largest``), so the seek condition matches the ORDER BY on every
backend.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.models import Q, QuerySet

AFTER, BEFORE = "a", "b"


@dataclass(frozen=True)
class Key:
    path: str  # "reported_at", "site__name", "category_id"
    descending: bool
    field: object  # the model field the path ends in


def ordering_of(queryset: QuerySet) -> list[str]:
    """The ordering the queryset is read in (its own, else the model's default)."""
    query = queryset.query
    if query.order_by:
        return list(query.order_by)
    if query.default_ordering:
        return list(queryset.model._meta.ordering or [])
    return []


def _field(model, path: str):
    """The concrete, non-relation field ``path`` ends in (a foreign key by its column name, e.g.
    ``category_id``, counts), or None when keyset cannot follow it."""
    parts = path.split("__")
    field = None
    for i, part in enumerate(parts):
        if part == "pk":
            field = model._meta.pk
        else:
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
        last = i == len(parts) - 1
        if field.is_relation:
            if last:
                # ``category_id`` orders by the column; ``category`` by the related ordering.
                if part == getattr(field, "attname", None) and field.many_to_one:
                    return field.target_field
                return None
            if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                return None  # to-many: one row per related row, not a key
            model = field.related_model
        elif not last:
            return None
    return field


def keys_for(queryset: QuerySet) -> list[Key] | None:
    """The total ordering (sort keys, then the primary key) of ``queryset``, or None when some
    key is an expression, a random order or a relation that keyset cannot follow."""
    model = queryset.model
    pk = model._meta.pk
    keys: list[Key] = []
    for item in ordering_of(queryset):
        if not isinstance(item, str) or item == "?":
            return None
        descending = item.startswith("-")
        path = item.lstrip("-+")
        field = _field(model, path)
        if field is None:
            return None
        if path in ("pk", pk.attname, pk.name):
            keys.append(Key(pk.attname, descending, pk))
            return keys  # unique: nothing after it matters
        keys.append(Key(path, descending, field))
    keys.append(Key(pk.attname, keys[0].descending if keys else False, pk))
    return keys


def order(queryset: QuerySet, keys: list[Key]) -> QuerySet:
    return queryset.order_by(*(("-" if k.descending else "") + k.path for k in keys))


def value_of(record, key: Key):
    """A key's value read from a model instance (its related objects loaded with
    select_related; a missing relation gives None)."""
    value = record
    for part in key.path.split("__"):
        if value is None:
            return None
        value = getattr(value, "pk" if part == "pk" else part)
    return value


def _signature(keys: list[Key]) -> list[str]:
    return [("-" if k.descending else "") + k.path for k in keys]


def encode(keys: list[Key], values: list, direction: str = AFTER) -> str:
    """The cursor of a link: direction, the ordering and the boundary row's key values."""
    data = json.dumps(
        [direction, _signature(keys), values], cls=DjangoJSONEncoder, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def cursor_for(keys: list[Key], record, direction: str = AFTER) -> str:
    return encode(keys, [value_of(record, k) for k in keys], direction)


def decode(cursor: str | None, keys: list[Key]) -> tuple[str, list] | None:
    """(direction, values) of a cursor made for this ordering, else None."""
    if not cursor or len(cursor) > 2000:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, signature, values = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if direction not in (AFTER, BEFORE) or signature != _signature(keys):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    try:
        pairs = zip(keys, values, strict=True)
        parsed = [None if v is None else k.field.to_python(v) for k, v in pairs]
    except (ValidationError, TypeError, ValueError):
        return None
    return direction, parsed


def _beyond(key: Key, value, forward: bool, nulls_largest: bool) -> Q | None:
    """Rows whose ``key`` comes after ``value`` in the reading direction (None: no row can)."""
    greater = forward != key.descending  # reading towards larger values
    if value is None:
        # Nothing is beyond NULL on the side it sorts to; every value is on the other.
        if greater == nulls_largest:
            return None
        return Q(**{f"{key.path}__isnull": False})
    condition = Q(**{f"{key.path}__{'gt' if greater else 'lt'}": value})
    # NULLs lie beyond every value when they sort to the end being read towards (a key across
    # a nullable join can be NULL even when its column is not).
    nullable = key.field.null or "__" in key.path
    if nullable and greater == nulls_largest:
        condition |= Q(**{f"{key.path}__isnull": True})
    return condition


def _equal(key: Key, value) -> Q:
    if value is None:
        return Q(**{f"{key.path}__isnull": True})
    return Q(**{key.path: value})


def _start(key: Key, value, forward: bool, nulls_largest: bool) -> Q:
    """The first key at or beyond its boundary value: a range the first key's index serves."""
    greater = forward != key.descending
    nulls_beyond = greater == nulls_largest
    if value is None:
        return Q(**{f"{key.path}__isnull": True}) if nulls_beyond else Q()
    condition = Q(**{f"{key.path}__{'gte' if greater else 'lte'}": value})
    if nulls_beyond and (key.field.null or "__" in key.path):
        condition |= Q(**{f"{key.path}__isnull": True})
    return condition


def seek(queryset: QuerySet, keys: list[Key], values: list, *, forward: bool = True) -> QuerySet:
    """The rows after (``forward``) or before the boundary row, in that reading direction:
    (k1 beyond v1) OR (k1 = v1 AND k2 beyond v2) OR …, with "k1 at or beyond v1" on top so the
    index on the first key gives the starting point."""
    nulls_largest = connections[queryset.db].features.nulls_order_largest
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value, forward, nulls_largest)
        if beyond is not None:
            condition |= prefix & beyond
        prefix &= _equal(key, value)
    start = _start(keys[0], values[0], forward, nulls_largest)
    ordered = order(queryset, keys)
    if not forward:
        ordered = ordered.reverse()
    return ordered.filter(start).filter(condition)
