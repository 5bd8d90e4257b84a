"""The neutral cards of the suggestion engine; adapters render them per platform.

The suggestion card (reason, rhythm, five buttons), the opt-out introduction, and the
buttons that carry a command line (a click runs it through the command router). The
welcome line's card is in `nudges.cards.welcome`, with its queueing.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Literal

from bot.cards import Actions, Block, Button, Card, Facts, Heading, Paragraph
from bot.commands import COMMAND_ACTION, rhythm_word
from bot.commands.lookup import person_token
from bot.i18n import Translator
from bot.metrics.example import Followable

MAX_FOLLOW_BUTTONS = 3


@dataclass(frozen=True, slots=True)
class Suggested:
    """What a suggestion card shows; `external_id` is the platform's community id."""

    suggestion_id: int
    external_id: str
    name: str
    sentence: str
    rhythm: str
    active_weeks: int
    pitch: str | None = None
    animators: tuple[Followable, ...] = ()


def rhythm_text(t: Translator, rhythm: str, active_weeks: int) -> str:
    return t("suggestion.rhythm_value", rhythm=rhythm_word(t, rhythm), weeks=active_weeks)


def suggestion_card(t: Translator, item: Suggested) -> Card:
    title = t("suggestion.title", name=item.name)
    blocks: list[Block] = [Heading(title), Paragraph(item.sentence)]
    facts = []
    if item.rhythm:  # absent for communities too small to show their activity
        facts.append((t("suggestion.rhythm"), rhythm_text(t, item.rhythm, item.active_weeks)))
    if item.pitch:
        facts.append((t("suggestion.pitch"), item.pitch))
    if facts:
        blocks.append(Facts(tuple(facts)))
    if item.animators:
        names = ", ".join(animator.name for animator in item.animators)
        blocks.append(Paragraph(t("follow_example.animated_by", names=names)))
    blocks.append(Paragraph(t("suggestion.explain")))
    ref, sid = item.external_id, item.suggestion_id
    blocks.append(
        Actions(
            (
                command_button(t("suggestion.follow"), "follow", ref, sid, "primary"),
                command_button(t("suggestion.join"), "join", ref, sid),
                command_button(t("suggestion.not_now"), "notnow", ref, sid),
                command_button(t("suggestion.never"), "never", ref, sid),
                command_button(t("suggestion.stop"), "stop", style="danger"),
            )
        )
    )
    if item.animators:
        follow = (follow_button(t, a.external_id, a.name) for a in item.animators)
        blocks.append(Actions(tuple(follow)[:MAX_FOLLOW_BUTTONS]))
    return Card(tuple(blocks), fallback=title)


def introduction_card(t: Translator, per_week: int) -> Card:
    title = t("introduction.title")
    return Card(
        (
            Heading(title),
            Paragraph(t("introduction.body", per_week=per_week)),
            Paragraph(t("introduction.stop_hint")),
            Actions(
                (
                    command_button(t("suggestion.stop"), "stop", style="danger"),
                    command_button(t("introduction.settings"), "settings"),
                )
            ),
        ),
        fallback=title,
    )


def command_line(name: str, community: str | None = None, suggestion: int | None = None) -> str:
    words = [name]
    if community is not None:
        words.append(shlex.quote(community))
    if suggestion is not None:
        words += ["--suggestion", str(suggestion)]
    return " ".join(words)


def command_button(
    label: str,
    name: str,
    community: str | None = None,
    suggestion: int | None = None,
    style: Literal["primary", "danger"] | None = None,
) -> Button:
    return Button(label, COMMAND_ACTION, command_line(name, community, suggestion), style)


def follow_button(t: Translator, person: str, name: str) -> Button:
    """Follow a person who chose to be followable (the only place a name is shown)."""
    return command_button(
        t("follow_person.button", person=name), "follow", person_token(person, name)
    )
