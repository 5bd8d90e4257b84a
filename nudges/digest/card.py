"""The digest card: for each followed community, rhythm and counts, and thread links."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.cards import Actions, Block, Card, Facts, Heading, Paragraph
from bot.commands import community_name, figure, rhythm_word
from bot.i18n import Translator
from bot.metrics import Suppressed
from nudges.cards.commandline import command_button
from nudges.digest.figures import CommunityWeek

MAX_BUTTONS = 5
Linker = Callable[[str, str], str | None]
"""(community external id, thread key) -> a link to the thread, when one can be made."""


def digest_card(t: Translator, weeks: Sequence[CommunityWeek], link: Linker, minimum: int) -> Card:
    title = t("digest.title")
    blocks: list[Block] = [Heading(title), Paragraph(t("digest.intro"))]
    for week in weeks:
        name = community_name(t, week.name, week.external_id)
        blocks.append(Facts(((f"#{name}", _summary(t, week, minimum)),)))
        if week.pitch:
            blocks.append(Paragraph(t("promises.digest_pitch", pitch=week.pitch)))
        threads = [
            t("digest.thread", link=url, reactions=t.number(thread.reactions))
            for thread in week.threads
            if (url := link(week.external_id, thread.key))
        ]
        if threads:
            blocks.append(Paragraph(t("digest.threads", threads=" · ".join(threads))))
    blocks.append(Paragraph(t("digest.privacy")))
    buttons = [
        command_button(
            t("digest.unfollow", name=community_name(t, week.name, week.external_id)),
            "unfollow",
            week.external_id,
        )
        for week in weeks[:MAX_BUTTONS]
    ]
    buttons.append(command_button(t("digest.manage"), "following"))
    blocks.append(Actions(tuple(buttons)))
    return Card(tuple(blocks), fallback=title)


def _summary(t: Translator, week: CommunityWeek, minimum: int) -> str:
    stats = week.stats
    if isinstance(stats.weekly_posts, Suppressed) or isinstance(stats.rhythm, Suppressed):
        return t("digest.hidden", minimum=minimum)
    return t(
        "digest.summary",
        rhythm=rhythm_word(t, stats.rhythm),
        posts=t.number(stats.weekly_posts[-1]),
        contributors=figure(t, stats.contributors),
    )
