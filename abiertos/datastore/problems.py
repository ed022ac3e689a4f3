"""Why a file could not be loaded, in words a publisher understands, with where it happened."""

from __future__ import annotations

from abiertos.core.errors import ValidationError


class IngestionProblem(ValidationError):
    """A file the datastore refuses, or a load that failed; ``row`` is 1-based, as a spreadsheet shows it."""

    code = "ingestion_error"

    def __init__(self, message: str, *, reason: str, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.reason = reason
        self.row = row
        self.column = column
