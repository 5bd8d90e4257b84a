"""Everything planning one workspace needs besides the ranking, read once per pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session

from bot.campaigns.spec import Audience
from bot.campaigns.store import eligible_query, running_campaigns, sends_of
from bot.metrics.example import Followable, followable_animators
from bot.storage.models import (
    Workspace,
)
from bot.storage.tables import COMMUNITY, DISMISSAL, MEMBERSHIP, PERSON, SUGGESTION
from nudges.policy.consent import NOT_COUNTED

RESUGGEST_AFTER = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class CommunityCard:
    external_id: str
    name: str
    pitch: str | None
    animators: tuple[Followable, ...] = ()


@dataclass
class WorkspaceContext:
    workspace_id: int
    platform: str
    external_id: str
    communities: dict[int, CommunityCard] = field(default_factory=dict)
    running: list[RunningCampaign] = field(default_factory=list)
    excluded: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def boosts_for(self, person_id: int) -> dict[int, float]:
        """community -> boost of the strongest running campaign whose audience holds them."""
        boosts: dict[int, float] = {}
        for campaign in self.running:
            if person_id in campaign.eligible and campaign.boost > boosts.get(
                campaign.community_id, 0.0
            ):
                boosts[campaign.community_id] = campaign.boost
        return boosts

    def campaign_for(self, person_id: int, community_id: int) -> int | None:
        """The campaign a suggestion of this community to this person counts against."""
        chosen = self._reaching(person_id, community_id)
        return chosen.campaign_id if chosen is not None else None

    def campaign_pitch(self, person_id: int, community_id: int) -> dict[str, str]:
        """That campaign's pitch by language: on its cards, it stands for the community's."""
        chosen = self._reaching(person_id, community_id)
        return chosen.pitch if chosen is not None else {}

    def _reaching(self, person_id: int, community_id: int) -> RunningCampaign | None:
        reaching = [
            campaign
            for campaign in self.running
            if campaign.community_id == community_id and person_id in campaign.eligible
        ]
        return max(reaching, key=lambda campaign: campaign.boost) if reaching else None


@dataclass(frozen=True, slots=True)
class RunningCampaign:
    campaign_id: int
    community_id: int
    boost: float
    eligible: frozenset[int]
    pitch: dict[str, str] = field(default_factory=dict)


def load_context(
    session: Session,
    workspace_id: int,
    people: Iterable[int],
    now: datetime,
    *,
    consent_mode: str = "opt_in",
    ranked_as_of: datetime | None = None,
) -> WorkspaceContext:
    """Names, campaign boosts, and each person's exclusions at `now`.

    `ranked_as_of`: when the ranking's snapshot is older than `now`, memberships changed
    since then are excluded too (the snapshot already knows the older ones).
    """
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    context = WorkspaceContext(workspace_id, workspace.platform, workspace.external_id)
    connection = session.connection()
    rows = connection.execute(
        select(
            COMMUNITY.c.id,
            COMMUNITY.c.external_id,
            COMMUNITY.c.name,
            COMMUNITY.c.pitch,
            COMMUNITY.c.never_suggest,
        ).where(COMMUNITY.c.workspace_id == workspace_id)
    ).all()
    context.communities = {
        row.id: CommunityCard(row.external_id, row.name, row.pitch) for row in rows
    }
    for community_id, animators in followable_animators(session, context.communities).items():
        context.communities[community_id] = replace(
            context.communities[community_id], animators=animators
        )
    _campaigns(session, context, now, consent_mode)
    people = set(people)
    _exclusions(session, context, people, now, ranked_as_of or now)
    never = {row.id for row in rows if row.never_suggest}
    if never:  # its animators asked: never suggested, to anyone
        for person in people:
            context.excluded[person] |= never
    return context


def _campaigns(
    session: Session, context: WorkspaceContext, now: datetime, consent_mode: str
) -> None:
    """Running campaigns that may still send, each with the people its audience reaches."""
    for campaign in running_campaigns(session, context.workspace_id, now):
        assert campaign.id is not None
        if campaign.max_sends is not None and sends_of(session, campaign.id) >= campaign.max_sends:
            continue
        audience = Audience.from_json(campaign.audience)
        query = eligible_query(
            context.workspace_id, campaign.community_id, audience, now, consent_mode
        )
        eligible = frozenset(row[0] for row in session.connection().execute(query))
        context.running.append(
            RunningCampaign(
                campaign.id, campaign.community_id, campaign.boost, eligible, dict(campaign.pitch)
            )
        )


def _exclusions(
    session: Session, context: WorkspaceContext, people: set[int], now: datetime, since: datetime
) -> None:
    """Communities not to suggest: suggested lately, hidden, or joined or followed since."""
    in_workspace = PERSON.c.workspace_id == context.workspace_id
    recent = (
        select(SUGGESTION.c.person_id, SUGGESTION.c.community_id)
        .join(PERSON, PERSON.c.id == SUGGESTION.c.person_id)
        .where(
            in_workspace,
            SUGGESTION.c.planned_at >= now - RESUGGEST_AFTER,
            SUGGESTION.c.state.not_in(NOT_COUNTED),
        )
    )
    hidden = (
        select(DISMISSAL.c.person_id, DISMISSAL.c.community_id)
        .join(PERSON, PERSON.c.id == DISMISSAL.c.person_id)
        .where(in_workspace, or_(DISMISSAL.c.until.is_(None), DISMISSAL.c.until > now))
    )
    joined = (
        select(MEMBERSHIP.c.person_id, MEMBERSHIP.c.community_id)
        .join(PERSON, PERSON.c.id == MEMBERSHIP.c.person_id)
        .where(
            in_workspace,
            MEMBERSHIP.c.state.in_(("member", "follower")),
            MEMBERSHIP.c.since >= since - timedelta(minutes=1),
        )
    )
    connection = session.connection()
    for query in (recent, hidden, joined):
        for person_id, community_id in connection.execute(query):
            if person_id in people:
                context.excluded[person_id].add(community_id)
