"""What the bot does when it has to answer: commands, card clicks, forms, installs.

Runs inside a botbuilder turn, only for activities that need an answer (a personal message,
an @mention, a click, an install); everything else was recorded and acknowledged without one.
Typed words and command buttons go to the core's router; a reply meant for one person only
goes to them privately. A form button (a campaign's form, a community's settings) is answered
with an Adaptive Card form of its own, as the invoke's response; submitting it saves, or shows
the form again with each problem under its field.
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
from adapters.teams.render import (
    CONTENT_TYPE,
    adaptive_card,
    card_activity,
    card_json,
    text_block,
)
from adapters.teams.roster import import_team
from bot.animators.commands import FIELDS as SETTINGS_FIELDS
from bot.animators.commands import FORM_ACTION as SETTINGS_FORM_ACTION
from bot.animators.commands import SUBMIT_ACTION as SETTINGS_SUBMIT_ACTION
from bot.animators.commands import SettingsForm, open_settings_form, submit_settings_form
from bot.campaigns.form import FIELDS as CAMPAIGN_FIELDS
from bot.campaigns.form import FORM_ACTION as CAMPAIGN_FORM_ACTION
from bot.campaigns.form import SUBMIT_ACTION as CAMPAIGN_SUBMIT_ACTION
from bot.campaigns.form import FormField, campaign_form_fields, choices_for, start_form, submit_form
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


def register_campaign_form(turns: Turns) -> None:
    """The campaign form's button answers with the form card; submitting saves it."""
    router = turns.router

    async def on_open(asker: Asker, clicked: Json) -> Json:
        context = await router.context(asker)
        start = await start_form(context, str(clicked.get("value") or ""))
        fields = campaign_form_fields(context.t, start.values)
        return campaign_form_card(context.t, fields, start.communities, start.campaign_id)

    async def on_submit(asker: Asker, clicked: Json) -> Json:
        return await _submit_campaign(router, asker, clicked)

    turns.on_form(CAMPAIGN_FORM_ACTION, on_open)
    turns.on_form(CAMPAIGN_SUBMIT_ACTION, on_submit)


async def _submit_campaign(router: Router, asker: Asker, clicked: Json) -> Json:
    """The confirmation card, or the form again with the messages beside its fields."""
    context = await router.context(asker)
    values, campaign_id = submitted_values(clicked), campaign_of(clicked)
    outcome = await submit_form(context, values, campaign_id)
    if outcome.saved is not None:
        return adaptive_card(outcome.saved)
    fields = campaign_form_fields(context.t, values)
    choices = await choices_for(context)
    return campaign_form_card(context.t, fields, choices, campaign_id, outcome.by_field())


def register_community_form(turns: Turns) -> None:
    """The button of `community #c` answers with the settings form (for animators and
    admins); submitting saves, or shows the problem under its field."""
    router = turns.router

    async def on_open(asker: Asker, clicked: Json) -> Json:
        context = await router.context(asker)
        form = await open_settings_form(context, str(clicked.get("value") or ""))
        if isinstance(form, SettingsForm):
            return settings_card(context.t, form)
        return adaptive_card(form)

    async def on_submit(asker: Asker, clicked: Json) -> Json:
        context = await router.context(asker)
        community = str(clicked.get("community") or "")
        values: dict[str, object] = {
            name: "" if clicked.get(name) is None else str(clicked.get(name))
            for name in SETTINGS_FIELDS
        }
        errors, saved = await submit_settings_form(context, community, values)
        if saved is not None:
            return adaptive_card(saved)
        form = await open_settings_form(context, community)
        if not isinstance(form, SettingsForm):
            return adaptive_card(form)
        typed = tuple(
            FormField(f.name, f.label, f.kind, f.required, f.hint, f.options, str(values[f.name]))
            for f in form.fields
        )
        return settings_card(context.t, SettingsForm(form.community, form.title, typed), errors)

    turns.on_form(SETTINGS_FORM_ACTION, on_open)
    turns.on_form(SETTINGS_SUBMIT_ACTION, on_submit)


LIST_FIELDS = {name for name, kind, _ in CAMPAIGN_FIELDS if kind == "communities"}


def campaign_form_card(
    t: Translator,
    fields: tuple[FormField, ...],
    choices: tuple[tuple[str, str], ...],
    campaign_id: int | None,
    errors: dict[str, str] | None = None,
) -> Json:
    """The form; `errors` (by field) are shown in red under their fields."""
    title = t("campaign.form_edit_title" if campaign_id else "campaign.form_title")
    data = {"action": CAMPAIGN_SUBMIT_ACTION, "campaign": campaign_id}
    return _form_card(title, fields, errors, t("campaign.form_submit"), data, choices)


def submitted_values(data: Json) -> dict[str, object]:
    """Field name -> submitted text (a list for multi-selects, which Teams joins with commas)."""
    values: dict[str, object] = {}
    for name, _, _ in CAMPAIGN_FIELDS:
        raw = data.get(name)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        typed = "" if raw is None else str(raw).strip()
        values[name] = [part for part in typed.split(",") if part] if name in LIST_FIELDS else typed
    return values


def campaign_of(data: Json) -> int | None:
    campaign = data.get("campaign")
    return campaign if isinstance(campaign, int) and not isinstance(campaign, bool) else None


def settings_card(t: Translator, form: SettingsForm, errors: dict[str, str] | None = None) -> Json:
    data = {"action": SETTINGS_SUBMIT_ACTION, "community": form.community}
    return _form_card(form.title, form.fields, errors, t("promises.form_submit"), data)


def _form_card(
    title: str,
    fields: tuple[FormField, ...],
    errors: dict[str, str] | None,
    submit: str,
    data: Json,
    choices: tuple[tuple[str, str], ...] = (),
) -> Json:
    """A form: each field's input, its hint and, in red, its problem; the `submit` button
    sends `data` (whose `action` names the form) with the values."""
    body: list[Json] = [text_block(title, size="Large", weight="Bolder")]
    for field in fields:
        body.append(_input(field, choices))
        if field.hint:
            body.append(text_block(field.hint, size="Small", isSubtle=True, spacing="None"))
        if errors and field.name in errors:
            body.append(text_block(errors[field.name], color="Attention", spacing="None"))
    button = {
        "type": "Action.Execute",
        "title": submit,
        "verb": data["action"],
        "data": data,
        "style": "positive",
    }
    return card_json(body, [button], title)


def _input(field: FormField, choices: tuple[tuple[str, str], ...]) -> Json:
    """`choices` are the communities offered by community fields without options of their own."""
    shown = ",".join(field.value) if isinstance(field.value, tuple) else field.value
    common: Json = {"id": field.name, "label": field.label, "isRequired": field.required}
    options = field.options or (choices if field.kind in ("community", "communities") else ())
    if options:
        listed = [{"title": label, "value": value} for value, label in options]
        multiple = {"isMultiSelect": True} if field.kind == "communities" else {}
        element: Json = {"type": "Input.ChoiceSet", "style": "compact", "choices": listed}
        return common | element | multiple | ({"value": shown} if shown else {})
    if field.kind == "date":
        return common | {"type": "Input.Date"} | ({"value": shown} if shown else {})
    if field.kind == "number":
        number = _number(shown)
        return common | {"type": "Input.Number"} | ({"value": number} if number is not None else {})
    multiline = {"isMultiline": True} if field.kind == "multiline" else {}
    return common | {"type": "Input.Text"} | multiline | ({"value": shown} if shown else {})


def _number(value: str) -> int | float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number
