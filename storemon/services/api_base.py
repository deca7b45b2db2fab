"""The shared base of the service API mixins: one open database, a session per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from storemon.services.database import Database


class ApiBase:
    """Holds the database; each use case opens and closes its own session (thread-safe use)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @property
    def description(self) -> str:
        return self.database.description

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.database.sessions() as session:
            yield session
