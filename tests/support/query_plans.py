"""The plans the database chooses for the queries real code runs, read without timing.

`recorded_selects` records every SELECT that code sends through a `Database`;
`nested_scans` asks the database for each one's plan (`EXPLAIN QUERY PLAN` on SQLite,
`EXPLAIN (FORMAT JSON)` on PostgreSQL) and names every access to a watched table that
reads it whole, or all of a workspace's rows, once per row of an outer loop: the
quadratic plans that a missing planner statistic can lure a database into.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event

from bot.storage.database import Database

WATCHED = ("person", "membership")
PROBE_KEYS = {"person": {"rowid", "id", "external_id"}, "membership": {"person_id", "community_id"}}
"""The columns that fetch a few rows of the table per outer row (one person, one community)."""
KEEPING = ("Hash", "Materialize", "Sort")
_EQUALITY = re.compile(r"([a-z_][a-z0-9_.]*) = ([a-z_][a-z0-9_.]*)")


@dataclass(frozen=True)
class Recorded:
    statement: str
    parameters: Any


@contextmanager
def recorded_selects(database: Database) -> Iterator[list[Recorded]]:
    found: list[Recorded] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        if not many and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            found.append(Recorded(statement, parameters))

    engines = {id(engine): engine for engine in (database.engine, database.read_engine)}
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", record)


def nested_scans(connection: Connection, query: Recorded) -> list[str]:
    """Each access to a watched table repeated per outer row without a probe key."""
    if not query.parameters:  # a statement with its values written in (`no_parameters`)
        connection = connection.execution_options(no_parameters=True)
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + query.statement, query.parameters or None
        ).all()
        return _sqlite_nested(rows)
    (plan,) = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + query.statement, query.parameters or None
    ).one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return _postgres_nested(document[0]["Plan"], repeated=False)


def _sqlite_nested(rows: Sequence[Sequence[Any]]) -> list[str]:
    """`rows` are (id, parent, _, detail); loops under one parent nest in their order."""
    parents = {row[0]: row[1] for row in rows}
    details = {row[0]: str(row[3]) for row in rows}
    loops_before: dict[int, int] = {}
    found = []
    for _node, parent, _, detail in rows:
        is_loop = str(detail).startswith(("SCAN ", "SEARCH "))
        inner = loops_before.get(parent, 0) > 0 or _under_correlated(parent, parents, details)
        if is_loop:
            loops_before[parent] = loops_before.get(parent, 0) + 1
        table = _sqlite_table(str(detail))
        if inner and table in WATCHED and not _sqlite_probes(table, str(detail)):
            found.append(str(detail))
    return found


def _under_correlated(node: int, parents: Mapping[int, int], details: Mapping[int, str]) -> bool:
    while node in parents:
        if details[node].startswith("CORRELATED"):
            return True
        node = parents[node]
    return False


def _sqlite_table(detail: str) -> str | None:
    words = detail.split()
    return words[1] if len(words) > 1 and words[0] in ("SCAN", "SEARCH") else None


def _sqlite_probes(table: str, detail: str) -> bool:
    if detail.startswith("SCAN "):
        return False
    constraint = detail[detail.find("(") + 1 : detail.rfind(")")]
    columns = {
        part.split("=")[0].split(">")[0].split("<")[0].strip() for part in constraint.split(" AND ")
    }
    return bool(columns & PROBE_KEYS[table])


def _postgres_nested(node: Mapping[str, Any], *, repeated: bool) -> list[str]:
    """`repeated`: the node runs again for each row of an outer loop (the inner side of a
    nested loop, a correlated subplan), except below a node that keeps its input's rows
    (a hash, a materialisation, a sort, a hashed aggregate), which reads them once."""
    found = []
    relation = node.get("Relation Name")
    if repeated and relation in WATCHED and not _postgres_probes(node):
        found.append(f"{node['Node Type']} on {relation}: {_condition(node)}")
    keeps = node["Node Type"] in KEEPING or node.get("Strategy") == "Hashed"
    for position, child in enumerate(node.get("Plans", [])):
        inner = node["Node Type"] == "Nested Loop" and position == 1
        subplan = child.get("Parent Relationship") == "SubPlan"
        found += _postgres_nested(child, repeated=(repeated and not keeps) or inner or subplan)
    return found


def _condition(node: Mapping[str, Any]) -> str:
    return str(node.get("Index Cond") or node.get("Recheck Cond") or "")


def _postgres_probes(node: Mapping[str, Any]) -> bool:
    """An index condition equating a column to another relation's: a per-row probe."""
    own = node.get("Alias", node.get("Relation Name"))
    for left, right in _EQUALITY.findall(_condition(node)):
        qualifiers = {side.split(".")[0] for side in (left, right) if "." in side}
        if qualifiers - {own}:
            return True
    return False
