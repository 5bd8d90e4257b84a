"""The campaign form as a Block Kit modal, and the values a view_submission carries."""

from __future__ import annotations

import json
from typing import Any

from bot.campaigns.form import FormField, FormStart
from bot.i18n import Translator

CALLBACK_ID = "engage.campaign"
TITLE_LIMIT, OPTION_LIMIT, INPUT_LIMIT = 24, 75, 3000
Json = dict[str, Any]


def _plain(text: str, limit: int = 2000) -> Json:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _option(value: str, label: str) -> Json:
    return {"text": _plain(label, OPTION_LIMIT), "value": value}


def _element(field: FormField, choices: tuple[tuple[str, str], ...]) -> Json:
    options = field.options or (choices if field.kind in ("community", "communities") else ())
    chosen = field.value if isinstance(field.value, tuple) else (field.value,)
    picked = [_option(value, label) for value, label in options if value in chosen]
    if field.kind == "communities" and options:
        element: Json = {"type": "multi_static_select", "options": [_option(*o) for o in options]}
        return element | ({"initial_options": picked} if picked else {})
    if options:
        element = {"type": "static_select", "options": [_option(*o) for o in options]}
        return element | ({"initial_option": picked[0]} if picked else {})
    if field.kind == "date":
        return {"type": "datepicker"} | ({"initial_date": field.value} if field.value else {})
    element = {"type": "plain_text_input", "multiline": field.kind == "multiline"}
    text = ",".join(field.value) if isinstance(field.value, tuple) else field.value
    return element | ({"initial_value": text[:INPUT_LIMIT]} if text else {})


def campaign_modal(t: Translator, fields: tuple[FormField, ...], start: FormStart) -> Json:
    """`views.open`'s view: one input block per field, named after it (block and action ids)."""
    blocks = [
        {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": _plain(field.label),
            "element": _element(field, start.communities) | {"action_id": field.name},
        }
        | ({"hint": _plain(field.hint)} if field.hint else {})
        for field in fields
    ]
    title = "campaign.form_edit_title" if start.campaign_id else "campaign.form_title"
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"campaign": start.campaign_id}),
        "title": _plain(t(title), TITLE_LIMIT),
        "submit": _plain(t("campaign.form_submit"), TITLE_LIMIT),
        "close": _plain(t("campaign.form_cancel"), TITLE_LIMIT),
        "blocks": blocks,
    }


def submitted_values(view: Json) -> dict[str, object]:
    """Field name -> typed text, picked date or option value(s), from `view.state.values`."""
    values: dict[str, object] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for state in actions.values():
            values[block_id] = _value_of(state)
    return values


def _value_of(state: Json) -> object:
    if "selected_options" in state:
        return [option["value"] for option in state["selected_options"] or []]
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value") or ""
    if "selected_date" in state:
        return state["selected_date"] or ""
    return state.get("value") or ""


def campaign_of(view: Json) -> int | None:
    """The campaign being edited, from the modal's private_metadata (None: a new one)."""
    try:
        campaign = json.loads(view.get("private_metadata") or "{}").get("campaign")
    except (ValueError, AttributeError):
        return None
    return campaign if isinstance(campaign, int) else None
