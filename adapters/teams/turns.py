"""What the bot does when it has to answer: commands, card clicks, installs.

Runs inside a botbuilder turn, only for activities that need an answer (a personal
message, an @mention, a click, an install); everything else was recorded and acknowledged
without one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.contacts import ContactBook
from adapters.teams.gateway import TeamsGateway
from adapters.teams.ingest import (
    PLATFORM,
    Json,
    channel_id,
    command_text,
    is_bot_installed,
    is_personal,
    person_key,
    submitted_action,
    team_id,
    team_roster_changed,
    tenant,
    text_field,
)
from adapters.teams.render import CONTENT_TYPE, adaptive_card, card_activity
from adapters.teams.roster import import_team
from bot.cards import Card
from bot.commands import COMMAND_ACTION, Asker, Router
from bot.delivery import Delivered, Recipient
from bot.i18n import Translator, language_for
from bot.services import Services

CARD_ACTION_INVOKE = "adaptiveCard/action"
FormHandler = Callable[[Asker, Json], Awaitable[Json]]


class Turns:
    def __init__(
        self, services: Services, router: Router, contacts: ContactBook, gateway: TeamsGateway
    ) -> None:
        self.services = services
        self.router = router
        self.contacts = contacts
        self.gateway = gateway
        self.forms: dict[str, FormHandler] = {}

    def on_form(self, action: str, handler: FormHandler) -> None:
        """Let a feature answer its card button with an Adaptive Card of its own (a form)."""
        self.forms[action] = handler

    async def run(self, turn_context: TurnContext, activity: Json) -> None:
        kind = activity.get("type")
        if kind == "invoke" and activity.get("name") == CARD_ACTION_INVOKE:
            await self._invoke(turn_context, activity)
        elif kind == "message":
            await self._message(turn_context, activity)
        elif is_bot_installed(activity):
            await self._installed(turn_context, activity)
        elif team_roster_changed(activity):
            await import_team(turn_context, activity, self.services, self.contacts)

    async def _answer(self, activity: Json) -> Card:
        asker = asker_of(activity)
        clicked = submitted_action(activity)
        if clicked is None:
            return await self.router.handle(asker, command_text(activity))
        action = str(clicked.get("action") or text_field(activity, "value", "action", "verb"))
        text = str(clicked.get("value") or "") if action == COMMAND_ACTION else "help"
        return await self.router.handle(asker, text)

    async def _invoke(self, turn_context: TurnContext, activity: Json) -> None:
        clicked = submitted_action(activity) or {}
        form = self.forms.get(str(clicked.get("action")))
        if form is not None:
            await _reply_to_invoke(turn_context, await form(asker_of(activity), clicked))
            return
        card = await self._answer(activity)
        if card.attachment is not None:
            await turn_context.send_activity(card_activity(card))
        await _reply_to_invoke(turn_context, adaptive_card(card))

    async def _message(self, turn_context: TurnContext, activity: Json) -> None:
        card = await self._answer(activity)
        if is_personal(activity) or not card.private:
            await turn_context.send_activity(card_activity(card))
            return
        asker = asker_of(activity)
        result = await self.gateway.send_card(
            Recipient(PLATFORM, asker.workspace, asker.person), card
        )
        t = Translator(language_for(asker.locale, self.services.settings.default_locale))
        note = (
            "teams.sent_privately" if isinstance(result, Delivered) else "teams.not_sent_privately"
        )
        await turn_context.send_activity(MessageFactory.text(t(note)))

    async def _installed(self, turn_context: TurnContext, activity: Json) -> None:
        if team_id(activity):
            await import_team(turn_context, activity, self.services, self.contacts)
        elif is_personal(activity) and activity.get("type") == "conversationUpdate":
            card = await self.router.handle(asker_of(activity), "help")
            await turn_context.send_activity(card_activity(card))


def asker_of(activity: Json) -> Asker:
    community = channel_id(activity) if not is_personal(activity) else ""
    return Asker(
        platform=PLATFORM,
        workspace=tenant(activity),
        person=person_key(activity.get("from")),
        locale=text_field(activity, "locale") or None,
        community=community or None,
    )


async def _reply_to_invoke(turn_context: TurnContext, card: Json) -> None:
    body = {"statusCode": 200, "type": CONTENT_TYPE, "value": card}
    response = InvokeResponse(status=200, body=body)
    await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
