"""Reading ids from query strings and posted forms without ever raising.

``str.isdigit()`` is not enough: it accepts "²" (which ``int()`` refuses) and 30-digit numbers
(which the database driver refuses), and either turned a bookmarked URL with a typo into a 500.
"""

from __future__ import annotations

# BigAutoField's upper bound: larger numbers overflow SQLite's and PostgreSQL's integer types.
MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """A positive database id from user input, or None when it is not one."""
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
