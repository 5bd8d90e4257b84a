"""The campaign form as an Adaptive Card, and the values its Action.Execute submits."""

from __future__ import annotations

from typing import Any

from adapters.teams.render import SCHEMA
from bot.campaigns.form import FIELDS, SUBMIT_ACTION, FormField
from bot.i18n import Translator

Json = dict[str, Any]
LISTS = {name for name, kind, _ in FIELDS if kind == "communities"}


def _text(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _number(value: str) -> int | float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _input(field: FormField, choices: tuple[tuple[str, str], ...]) -> Json:
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


def campaign_form_card(
    t: Translator,
    fields: tuple[FormField, ...],
    choices: tuple[tuple[str, str], ...],
    campaign_id: int | None,
    errors: dict[str, str] | None = None,
) -> Json:
    """The form; `errors` (by field) are shown in red under their fields."""
    title = "campaign.form_edit_title" if campaign_id else "campaign.form_title"
    body: list[Json] = [_text(t(title), size="Large", weight="Bolder")]
    for field in fields:
        body.append(_input(field, choices))
        if field.hint:
            body.append(_text(field.hint, size="Small", isSubtle=True, spacing="None"))
        if errors and field.name in errors:
            body.append(_text(errors[field.name], color="Attention", spacing="None"))
    submit = {
        "type": "Action.Execute",
        "title": t("campaign.form_submit"),
        "verb": SUBMIT_ACTION,
        "data": {"action": SUBMIT_ACTION, "campaign": campaign_id},
        "style": "positive",
    }
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "actions": [submit],
        "msteams": {"width": "Full"},
        "fallbackText": t(title),
    }


def submitted_values(data: Json) -> dict[str, object]:
    """Field name -> submitted text (a list for multi-selects, which Teams joins with commas)."""
    values: dict[str, object] = {}
    for name, _, _ in FIELDS:
        raw = data.get(name)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        typed = "" if raw is None else str(raw).strip()
        values[name] = [part for part in typed.split(",") if part] if name in LISTS else typed
    return values


def campaign_of(data: Json) -> int | None:
    campaign = data.get("campaign")
    return campaign if isinstance(campaign, int) and not isinstance(campaign, bool) else None
