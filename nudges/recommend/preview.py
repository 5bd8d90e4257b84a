"""Suggestions for one person or everyone in a workspace, as plain data for the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.errors import EngageError
from bot.storage.models import Workspace
from nudges.recommend import recommend
from nudges.recommend.snapshot_db import read_snapshot


@dataclass(frozen=True)
class PreviewItem:
    community: str
    name: str
    score: float
    reasons: list[dict[str, Any]]
    sentence: dict[str, str]


@dataclass(frozen=True)
class PersonPreview:
    person: str
    suggestions: list[PreviewItem]


@dataclass(frozen=True)
class Preview:
    workspace: str
    as_of: datetime
    people: list[PersonPreview]

    def as_data(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "as_of": self.as_of.isoformat(),
            "people": [
                {
                    "person": entry.person,
                    "suggestions": [
                        {"rank": rank, **vars(item)}
                        for rank, item in enumerate(entry.suggestions, 1)
                    ],
                }
                for entry in self.people
            ],
        }


def preview(
    session: Session,
    workspace: Workspace,
    person: str | None,
    as_of: datetime,
    limit: int,
    social_proof_min: int,
    min_group_size: int,
) -> Preview:
    """Rank for `person` (an external id), or for every human in the workspace when None."""
    assert workspace.id is not None
    loaded = read_snapshot(session, workspace.id, as_of)
    by_external = {external: pid for pid, external in loaded.people.items()}
    if person is not None and person not in by_external:
        raise EngageError(f"unknown person {person!r} in workspace {workspace.external_id}")
    chosen = [person] if person is not None else sorted(by_external)
    people = []
    for external in chosen:
        found = recommend(
            loaded.snapshot,
            by_external[external],
            as_of,
            limit,
            social_proof_min=social_proof_min,
            min_group_size=min_group_size,
        )
        items = [
            PreviewItem(
                community=loaded.communities[s.community][0],
                name=loaded.communities[s.community][1],
                score=s.score,
                reasons=s.reasons_data(),
                sentence={language: text for language, text in s.sentence.items()},
            )
            for s in found
        ]
        people.append(PersonPreview(external, items))
    return Preview(workspace.external_id, as_of, people)
