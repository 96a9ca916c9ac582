"""Reading a whole database back, to prove something is stored nowhere: every table, every column, every row."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Engine, MetaData, String, Text, select


def text_columns(engine: Engine) -> set[str]:
    """Every text or JSON column (`table.column`), where a Slack id could be written."""
    meta = MetaData()
    meta.reflect(bind=engine)
    return {
        f"{table.name}.{column.name}"
        for table in meta.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text | JSON)
    }


def occurrences(engine: Engine, needle: str) -> list[str]:
    """Each stored value that contains `needle`, as "table.column = value", in every table and column."""
    meta = MetaData()
    meta.reflect(bind=engine)
    found: list[str] = []
    with engine.connect() as connection:
        for table in meta.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None and needle in _as_text(value):
                        found.append(f"{table.name}.{column} = {value!r}"[:300])
    return found


def _as_text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)
