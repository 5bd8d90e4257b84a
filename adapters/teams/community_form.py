"""A community's settings form in Teams: the button of `community #c` answers with the form
card (for animators and admins); submitting saves, or shows the problem under its field."""

from __future__ import annotations

from typing import Any

from adapters.teams.activity import Json
from adapters.teams.renderer import SCHEMA, adaptive_card
from adapters.teams.turns import Turns
from bot.animators.commands import (
    FIELDS,
    FORM_ACTION,
    SUBMIT_ACTION,
    SettingsForm,
    open_settings_form,
    submit_settings_form,
)
from bot.campaigns.form import FormField
from bot.commands import Asker
from bot.i18n import Translator


def _text(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _input(field: FormField) -> Json:
    value = field.value if isinstance(field.value, str) else ""
    common: Json = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.options:
        choices = [{"title": label, "value": key} for key, label in field.options]
        element: Json = {"type": "Input.ChoiceSet", "style": "compact", "choices": choices}
        return common | element | ({"value": value} if value else {})
    text: Json = {"type": "Input.Text", "isMultiline": True}
    return common | text | ({"value": value} if value else {})


def settings_card(t: Translator, form: SettingsForm, errors: dict[str, str] | None = None) -> Json:
    body: list[Json] = [_text(form.title, size="Large", weight="Bolder")]
    for field in form.fields:
        body.append(_input(field))
        body.append(_text(field.hint, size="Small", isSubtle=True, spacing="None"))
        if errors and field.name in errors:
            body.append(_text(errors[field.name], color="Attention", spacing="None"))
    submit = {
        "type": "Action.Execute",
        "title": t("promises.form_submit"),
        "verb": SUBMIT_ACTION,
        "data": {"action": SUBMIT_ACTION, "community": form.community},
        "style": "positive",
    }
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "actions": [submit],
        "msteams": {"width": "Full"},
        "fallbackText": form.title,
    }


def register_community_form(turns: Turns) -> None:
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
            name: "" if clicked.get(name) is None else str(clicked.get(name)) for name in FIELDS
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

    turns.on_form(FORM_ACTION, on_open)
    turns.on_form(SUBMIT_ACTION, on_submit)
