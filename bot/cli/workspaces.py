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
        if not workspaces:
            raise EngageError.of("cli.error.unknown_workspace_none", workspace=repr(external_id))
        known = ", ".join(w.external_id for w in workspaces)
        raise EngageError.of(
            "cli.error.unknown_workspace", workspace=repr(external_id), known=known
        )
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise EngageError.of("cli.error.no_workspace")
    known = ", ".join(w.external_id for w in workspaces)
    raise EngageError.of("cli.error.several_workspaces", known=known)
