"""Events about people and communities themselves: arrivals, creations, joins, leaves."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from bot.events import CommunityArchived, CommunityCreated, MemberJoined, MemberLeft, PersonSeen
from bot.synth.activity import EventKeys
from bot.synth.communities import Community, Membership
from bot.synth.people import Person
from bot.synth.timing import LocalTime


class Lifecycle:
    def __init__(
        self,
        rng: random.Random,
        clock: LocalTime,
        keys: EventKeys,
        platform: str,
        workspace: str,
        start: date,
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.keys = keys
        self.platform = platform
        self.workspace = workspace
        self.start = start
        self.created_at: dict[int, datetime] = {}
        self._dates: dict[int, date] = {}

    def date(self, offset: int) -> date:
        day = self._dates.get(offset)
        if day is None:
            day = self._dates[offset] = self.start + timedelta(days=offset)
        return day

    def moment(self, tz: str, offset: int) -> datetime:
        return self.clock.working_moment(self.rng, tz, self.date(offset))

    def seen(self, person: Person) -> PersonSeen:
        return PersonSeen(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment(person.tz, person.arrival),
            person=person.external_id,
            display_name=person.display_name,
            locale=person.locale,
            tz=person.tz,
            department=person.department,
        )

    def created(self, community: Community) -> CommunityCreated:
        founder = community.members[0].person if community.members else None
        at = self.moment(founder.tz if founder else "UTC", community.created)
        self.created_at[community.index] = at
        return CommunityCreated(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=at,
            community=community.external_id,
            name=community.name,
            is_private=community.is_private,
            creator=founder.external_id if founder else None,
        )

    def joined(self, community: Community, membership: Membership) -> MemberJoined:
        at = self.moment(membership.person.tz, membership.joined)
        after_creation = self.created_at[community.index] + timedelta(
            seconds=1 + self.rng.randrange(600)
        )
        return MemberJoined(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.clock.clamp(max(at, after_creation)),
            person=membership.person.external_id,
            community=community.external_id,
        )

    def left(self, community: Community, membership: Membership) -> MemberLeft:
        assert membership.left is not None
        return MemberLeft(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment(membership.person.tz, membership.left),
            person=membership.person.external_id,
            community=community.external_id,
        )

    def archived(self, community: Community) -> CommunityArchived:
        assert community.archived is not None
        return CommunityArchived(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment("UTC", community.archived),
            community=community.external_id,
        )
