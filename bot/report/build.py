"""`build_report`: the HTML page for one community, or for the most alive ones."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.animators.roles import Actor
from bot.commands.lookup import find_community
from bot.i18n import Language, Translator
from bot.metrics import top_communities
from bot.metrics.trend import ladder_trend
from bot.report.data import community_report
from bot.report.page import render_page
from bot.settings import Settings
from bot.storage.models import Community

TOP = 10


def build_report(
    session: Session,
    settings: Settings,
    workspace_id: int,
    community: str | None,
    as_of: date,
    language: Language,
) -> str:
    """One community's page, or the organisation's ladder and its TOP most alive communities.
    An unknown community raises CommandError (with close names)."""
    minimum = settings.min_group_size
    trend = None
    if community is not None:
        chosen = [find_community(session, Actor(workspace_id, None, "cli"), community)]
    else:
        trend = ladder_trend(session, workspace_id, as_of, minimum)
        ranked = top_communities(session, workspace_id, as_of, minimum, limit=TOP)
        chosen = [
            found for c in ranked if (found := session.get(Community, c.community_id)) is not None
        ]
    reports = [community_report(session, settings, c, as_of) for c in chosen]
    return render_page(Translator(language), as_of, reports, trend, minimum)
