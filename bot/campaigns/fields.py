"""Single campaign fields from raw values: department, dates, max sends, boost."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.campaigns.spec import DEFAULT_BOOST, MAX_BOOST, MIN_BOOST, Problem
from bot.storage.models import Person

Values = Mapping[str, object]


def text(values: Values, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def department_of(
    session: Session, workspace_id: int, typed: str, problems: list[Problem]
) -> str | None:
    if not typed:
        problems.append(Problem("department", "campaign.problem.required"))
        return None
    known = sorted(
        {
            name
            for name in session.exec(
                select(Person.department).where(
                    Person.workspace_id == workspace_id,
                    Person.deleted.is_(False),  # type: ignore[attr-defined]
                    func.coalesce(Person.department, "") != "",
                )
            )
            if name
        }
    )
    for name in known:
        if name.casefold() == typed.casefold():
            return name
    problems.append(
        Problem(
            "department",
            "campaign.problem.unknown_department",
            {"name": typed, "known": ", ".join(known) or "—"},
        )
    )
    return None


def day_of(values: Values, name: str, default: date | None, problems: list[Problem]) -> date | None:
    raw = values.get(name)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    typed = text(values, name)
    if not typed:
        if default is None:
            problems.append(Problem(name, "campaign.problem.required"))
        return default
    try:
        return date.fromisoformat(typed)
    except ValueError:
        problems.append(Problem(name, "campaign.problem.bad_date", {"value": typed}))
        return None


def max_sends_of(values: Values, problems: list[Problem]) -> int | None:
    typed = text(values, "max_sends")
    if not typed or typed.lower() in ("none", "null"):
        return None
    if not typed.isdigit() or int(typed) < 1:
        problems.append(Problem("max_sends", "campaign.problem.bad_max_sends", {"value": typed}))
        return None
    return int(typed)


def boost_of(values: Values, problems: list[Problem]) -> float:
    typed = text(values, "boost").replace(",", ".")
    if not typed:
        return DEFAULT_BOOST
    try:
        boost = float(typed)
    except ValueError:
        boost = float("nan")
    if not MIN_BOOST <= boost <= MAX_BOOST:
        problems.append(
            Problem("boost", "campaign.problem.bad_boost", {"low": MIN_BOOST, "high": MAX_BOOST})
        )
        return DEFAULT_BOOST
    return boost
