"""Amounts in 万元 as the reports print them: thousands separated, two decimals (35,276.00)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
