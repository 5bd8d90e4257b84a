"""Which workspace a CLI command is about: the one given, or the only one there is."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.errors import EngageError
from bot.storage.models import Workspace


def choose_workspace(session: Session, external_id: str | None) -> Workspace:
    workspaces = list(session.exec(select(Workspace).order_by(Workspace.id)))  # type: ignore[arg-type]
    if external_id is not None:
        for workspace in workspaces:
            if workspace.external_id == external_id:
                return workspace
        known = ", ".join(w.external_id for w in workspaces) or "none yet"
        raise EngageError(f"unknown workspace {external_id!r} (known: {known})")
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise EngageError(
            "the database holds no workspace yet: import an export, run `engage synth`, or serve"
        )
    known = ", ".join(w.external_id for w in workspaces)
    raise EngageError(f"several workspaces: choose one with --workspace ({known})")
