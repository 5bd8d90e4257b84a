"""One typed `Table` handle per model, for Core statements: nothing else derives `__table__`."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

from bot.storage import models


def table_of(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


WORKSPACE = table_of(models.Workspace)
PERSON = table_of(models.Person)
COMMUNITY = table_of(models.Community)
MEMBERSHIP = table_of(models.Membership)
ANIMATOR = table_of(models.Animator)
INBOX_EVENT = table_of(models.InboxEvent)
DAILY_ACTIVITY = table_of(models.DailyActivity)
PERSON_TRACE = table_of(models.PersonTrace)
MEMBER_TRACE = table_of(models.MemberTrace)
COMMUNITY_TRACE = table_of(models.CommunityTrace)
COMMUNITY_DAY = table_of(models.CommunityDay)
IMPORTED_FILE = table_of(models.ImportedFile)
OBJECTION = table_of(models.Objection)
META = table_of(models.Meta)
PREFERENCE = table_of(models.Preference)
DISMISSAL = table_of(models.Dismissal)
CAMPAIGN = table_of(models.Campaign)
AUDIT = table_of(models.Audit)
SUGGESTION = table_of(models.Suggestion)
BUDGET_SLOT = table_of(models.BudgetSlot)
OUTBOX = table_of(models.Outbox)
SCHEDULER_LEASE = table_of(models.SchedulerLease)
CONVERSATION_REF = table_of(models.ConversationRef)
TEAMS_CHANNEL = table_of(models.TeamsChannel)
SLACK_INSTALLATION = table_of(models.SlackInstallation)
SLACK_OAUTH_STATE = table_of(models.SlackOAuthState)
DIRECTORY_ENTRY = table_of(models.DirectoryEntry)
SHOWCASE = table_of(models.Showcase)
PERSON_FOLLOW = table_of(models.PersonFollow)
FOLLOW_STEP = table_of(models.FollowStep)
