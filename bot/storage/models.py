"""The domain model as SQLModel tables. Datetimes are timezone-aware UTC everywhere."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from bot.events import utcnow

BIGINT_ID = BigInteger().with_variant(Integer(), "sqlite")


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column_args=[ForeignKey(target, ondelete="CASCADE")],
        nullable=nullable,
        index=index,
    )


class Workspace(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = ""
    install_data: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        # The ladder reads people in department order from the index alone (no sort).
        Index(
            "ix_person_ladder", "workspace_id", "department", "is_bot", "deleted", "first_seen_at"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _fk("workspace.id", index=False)
    external_id: str = Field(max_length=128)
    display_name: str | None = None
    locale: str | None = Field(default=None, max_length=16)
    tz: str | None = Field(default=None, max_length=64)
    department: str | None = None
    is_bot: bool = False
    deleted: bool = False
    # A workspace admin or owner as the platform says (fed by the adapters).
    is_admin: bool = False
    first_seen_at: datetime = Field(default_factory=utcnow)
    # The e-mail as a keyed hash (never in clear): the same human across workspaces.
    email_hash: str | None = Field(default=None, max_length=64, index=True)
    # The lowest person id sharing this e-mail hash: one budget, rung and set of preferences.
    human_id: int | None = Field(default=None, index=True)


class Community(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _fk("workspace.id", index=False)
    external_id: str = Field(max_length=128)
    name: str = ""
    is_private: bool = False
    is_archived: bool = False
    is_deleted: bool = False
    created_at: datetime | None = None
    creator_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("person.id", ondelete="SET NULL")]
    )
    pitch: str | None = None
    # Set by its animators (bot/animators/community_settings.py).
    never_suggest: bool = False
    welcome: str | None = None


class Membership(SQLModel, table=True):
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")],
        primary_key=True,
        index=True,
    )
    state: str = Field(default="member", max_length=16)
    since: datetime = Field(default_factory=utcnow)
    joined_at: datetime | None = None
    source: str = Field(default="self", max_length=64)


class Animator(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _fk("person.id")
    community_id: int | None = _fk("community.id", nullable=True)
    added_by_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class InboxEvent(SQLModel, table=True):
    """A neutral event as received; short-lived, folded into rollups, never holds text."""

    __tablename__ = "inbox_event"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "event_key", name="uq_inbox_event_key"),
        Index("ix_inbox_event_pending", "processed", "id"),
        # Only the few quarantined rows are indexed, so counting them costs nothing.
        Index(
            "ix_inbox_event_quarantined",
            "quarantined_at",
            postgresql_where=text("quarantined_at IS NOT NULL"),
            sqlite_where=text("quarantined_at IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, sa_type=BIGINT_ID, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=64)
    event_key: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    person: str | None = Field(default=None, max_length=128)
    community: str | None = Field(default=None, max_length=128)
    target_person: str | None = Field(default=None, max_length=128)
    thread_key: str | None = Field(default=None, max_length=200)
    occurred_at: datetime = Field(index=True)
    attrs: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    processed: bool = False
    received_at: datetime = Field(default_factory=utcnow)
    # Set when folding this event failed: it is kept, counted and skipped by later folds.
    quarantined_at: datetime | None = None
    quarantine_reason: str | None = Field(default=None, max_length=200)


class DailyActivity(SQLModel, table=True):
    """Per (day, community, person) counts: the single source of every metric."""

    __tablename__ = "daily_activity"
    __table_args__ = (
        Index("ix_daily_activity_community_day", "community_id", "day"),
        Index("ix_daily_activity_person_day", "person_id", "day"),
    )
    day: date = Field(primary_key=True)
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    posts: int = 0
    replies: int = 0
    reactions_given: int = 0
    reactions_received: int = 0
    joins: int = 0
    leaves: int = 0


class Trace(SQLModel):
    """Bitmaps of the days and ISO weeks someone posted or reacted, kept by folding.

    Bit i of a day mask is `anchor - i` (ordinal days); bit j of a week mask is the ISO
    week j weeks before the anchor's. The `*_until` columns are the last day (ordinal)
    each figure still holds if nothing more happens, so a figure for any date from the
    anchor on is one comparison per person, whatever the volume of rollups.
    """

    anchor: int
    posted_days: int = Field(default=0, sa_type=BigInteger)
    reacted_days: int = Field(default=0, sa_type=BigInteger)
    posted_weeks: int = Field(default=0, sa_type=BigInteger)
    reacted_weeks: int = Field(default=0, sa_type=BigInteger)
    regular_until: int = 0
    contributor_until: int = 0
    reactor_until: int = 0
    active_until: int = 0


class PersonTrace(Trace, table=True):
    """A person's trace across their whole workspace: the engagement ladder."""

    __tablename__ = "person_trace"
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )


class MemberTrace(Trace, table=True):
    """A person's trace in one community: its contributors, reactors, silent and regulars."""

    __tablename__ = "member_trace"
    # Contributors of a community counted by range, not by reading all its traces.
    __table_args__ = (Index("ix_member_trace_contributors", "community_id", "contributor_until"),)
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )


class CommunityTrace(Trace, table=True):
    """A community's own trace (anyone's posts and reactions): its active weeks."""

    __tablename__ = "community_trace"
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )


class CommunityDay(SQLModel, table=True):
    """Posts and replies per community and day: a community's weekly series and rhythm."""

    __tablename__ = "community_day"
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )
    day: date = Field(primary_key=True)
    posts: int = 0


class ImportedFile(SQLModel, table=True):
    """One file of an export, imported once: re-running an import skips it."""

    __tablename__ = "imported_file"
    source_key: str = Field(primary_key=True, max_length=300)
    checksum: str = Field(max_length=64)
    events: int = 0
    imported_at: datetime = Field(default_factory=utcnow)


class Objection(SQLModel, table=True):
    """Someone who objected to tracking: only a salted hash of their id, to drop their events."""

    person_hash: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Meta(SQLModel, table=True):
    """Small installation-wide values, such as the privacy salt."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Preference(SQLModel, table=True):
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    consent: str = Field(default="unknown", max_length=16)
    max_per_week: int = 1
    snooze_until: datetime | None = None
    quiet_start: int | None = None
    quiet_end: int | None = None
    working_days: str = "2,3,4"
    window_start: int = 10
    window_end: int = 16
    language: str | None = Field(default=None, max_length=8)
    ignored_streak: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class Dismissal(SQLModel, table=True):
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )
    kind: str = Field(max_length=16)
    until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = _fk("community.id")
    name: str = Field(default="", max_length=64)
    created_by_id: int | None = None
    pitch: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_sends: int | None = None
    boost: float = 1.0
    state: str = Field(default="draft", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Audit(SQLModel, table=True):
    """Who changed which role or campaign, and when. Details hold settings, never message text."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _fk("workspace.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    source: str = Field(max_length=16)
    actor_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("person.id", ondelete="SET NULL")]
    )
    action: str = Field(max_length=48)
    subject_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("person.id", ondelete="SET NULL")]
    )
    community_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("community.id", ondelete="SET NULL")]
    )
    campaign_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("campaign.id", ondelete="SET NULL")]
    )
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class Suggestion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _fk("person.id")
    community_id: int = _fk("community.id")
    campaign_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("campaign.id", ondelete="SET NULL")]
    )
    score: float = 0.0
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    state: str = Field(default="planned", max_length=16)
    planned_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    followed_at: datetime | None = None
    joined_at: datetime | None = None
    dismissed_at: datetime | None = None
    first_post_at: datetime | None = None


class BudgetSlot(SQLModel, table=True):
    """One of a person's suggestions in a budget period (their local ISO week): slots are
    numbered 1..their weekly allowance, and each is held by one suggestion at most."""

    __tablename__ = "budget_slot"
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    period: str = Field(primary_key=True, max_length=10)
    slot: int = Field(primary_key=True)
    suggestion_id: int = Field(
        sa_column_args=[ForeignKey("suggestion.id", ondelete="CASCADE")], unique=True
    )


class Outbox(SQLModel, table=True):
    __table_args__ = (Index("ix_outbox_due", "state", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    person_id: int = _fk("person.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    state: str = Field(default="pending", max_length=16)
    not_before: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler: the holder renews `expires_at`; anyone may take an expired one."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=128)
    expires_at: datetime
    acquired_at: datetime = Field(default_factory=utcnow)


class ConversationRef(SQLModel, table=True):
    __tablename__ = "conversation_ref"
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
    # Set while no 1:1 chat exists yet: the team through which one can be opened.
    team: str | None = Field(default=None, max_length=128, index=True)
    # Set when the platform refused delivery for good (blocked or uninstalled the bot).
    unreachable_at: datetime | None = None


class TeamsChannel(SQLModel, table=True):
    """Which team a Teams channel belongs to, for deep links and roster lookups."""

    __tablename__ = "teams_channel"
    workspace_id: int = Field(
        sa_column_args=[ForeignKey("workspace.id", ondelete="CASCADE")], primary_key=True
    )
    channel_id: str = Field(primary_key=True, max_length=128)
    team_id: str = Field(max_length=128, index=True)
    group_id: str | None = Field(default=None, max_length=64)
    name: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class SlackInstallation(SQLModel, table=True):
    """A Slack app install (OAuth flow); tokens are sealed by bot.settings when a key is set."""

    __tablename__ = "slack_installation"
    __table_args__ = (UniqueConstraint("enterprise_key", "team_key"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_key: str = Field(default="", max_length=32)
    team_key: str = Field(default="", max_length=32)
    is_enterprise_install: bool = False
    app_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = None
    bot_id: str = Field(max_length=32)
    bot_user_id: str = Field(max_length=32)
    bot_scopes: str = ""
    bot_token: str
    bot_refresh_token: str | None = None
    bot_token_expires_at: datetime | None = None
    installed_at: datetime = Field(default_factory=utcnow)
    active: bool = True
    disabled_at: datetime | None = None


class SlackOAuthState(SQLModel, table=True):
    """A pending OAuth install: the state parameter, usable once until it expires."""

    __tablename__ = "slack_oauth_state"
    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime


class DirectoryEntry(SQLModel, table=True):
    """One row of the HR directory (`engage import directory`), kept so that people seen
    later get their department too. `key` is a platform id, or an e-mail's keyed hash."""

    __tablename__ = "directory_entry"
    kind: str = Field(primary_key=True, max_length=8)
    key: str = Field(primary_key=True, max_length=128)
    department: str | None = None
    site: str | None = None
    manager_level: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Showcase(SQLModel, table=True):
    """A person's own choice to be followable; animators are asked once (`asked_at`)."""

    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    followable: bool = False
    asked_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class PersonFollow(SQLModel, table=True):
    """Someone following a followable person; never shown to the person followed."""

    __tablename__ = "person_follow"
    follower_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    followed_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")],
        primary_key=True,
        index=True,
    )
    since: datetime = Field(default_factory=utcnow)


class FollowStep(SQLModel, table=True):
    """A person following a community on the way to joining it: when they followed, clicked
    its digest, were asked "Join?" (once), what they answered, and when they joined."""

    __tablename__ = "follow_step"
    person_id: int = Field(
        sa_column_args=[ForeignKey("person.id", ondelete="CASCADE")], primary_key=True
    )
    community_id: int = Field(
        sa_column_args=[ForeignKey("community.id", ondelete="CASCADE")], primary_key=True
    )
    followed_at: datetime = Field(default_factory=utcnow)
    clicked_at: datetime | None = None
    asked_at: datetime | None = None
    suggestion_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("suggestion.id", ondelete="SET NULL")]
    )
    answer: str | None = Field(default=None, max_length=16)
    joined_at: datetime | None = None
