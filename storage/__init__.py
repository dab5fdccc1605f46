"""Database engine, schema, migrations and repositories: the only place with SQL."""

from storage.db import Database
from storage.repos import Repos

__all__ = ["Database", "Repos"]
