"""Refusals every area raises the same way: a message for the person, in Chinese.

Views catch ``Refused`` and show ``message``; ``Conflict`` says someone else acted first (the
subclass in each area carries the record as it is now).
"""


class Refused(Exception):
    """An action was refused; ``message`` says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(Refused):
    """Wrong person, or wrong state for this action."""


class Conflict(Refused):
    """Someone else changed the record first."""
