"""The demo's sections, printed with rich."""

from __future__ import annotations

from datetime import date

from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table

from adapters.console.figures import Overview
from adapters.console.render import render
from adapters.console.trial import Trial
from bot.cli.funnel import funnel_table
from bot.cli.stats_render import community_table, ladder_table, shown
from bot.commands import community_name
from bot.i18n import Translator
from bot.metrics.funnel import FunnelFigures


def section(console: Console, title: str, note: str) -> None:
    console.print()
    console.print(Rule(f"[bold]{title}[/bold]"))
    console.print(note)


def print_overview(console: Console, figures: Overview, as_of: date, t: Translator) -> None:
    section(console, t("demo.ladder.title"), t("demo.ladder.note"))
    console.print(ladder_table([figures.ladder], as_of, t))
    section(console, t("demo.alive.title"), t("demo.alive.note"))
    alive = Table(title=t("demo.alive.alive"))
    for column in ("community", "rhythm", "weeks", "members", "silent"):
        alive.add_column(t(f"demo.column.{column}"))
    for ranked, stats in figures.alive:
        alive.add_row(
            f"#{community_name(t, ranked.name, ranked.external_id)}",
            shown(ranked.rhythm, t=t),
            f"{ranked.active_weeks}/12",
            shown(stats.members, t=t),
            shown(stats.silent_share, "percent", t),
        )
    largest = Table(title=t("demo.alive.largest"))
    for column in ("community", "members", "rhythm", "weeks", "silent"):
        largest.add_column(t(f"demo.column.{column}"))
    for sized in figures.largest:
        largest.add_row(
            f"#{sized.name}",
            shown(sized.members, t=t),
            shown(sized.stats.rhythm, t=t),
            f"{shown(sized.stats.active_weeks)}/12",
            shown(sized.stats.silent_share, "percent", t),
        )
    console.print(Columns([alive, largest]))


def print_health(console: Console, name: str, figures: Overview, t: Translator) -> None:
    section(console, t("demo.health.title", name=name), t("demo.health.note"))
    for sized in figures.largest:
        if sized.name == name:
            console.print(community_table(name, sized.stats, t))


def print_trials(console: Console, trials: list[Trial], t: Translator) -> None:
    section(console, t("demo.trials.title"), t("demo.trials.note"))
    for trial in trials:
        reasons = ", ".join(_reason(reason) for reason in trial.reasons) or t("demo.trials.none")
        body = f"{render(trial.suggestion).text}\n\n[dim]{t('demo.trials.reasons')} {reasons}[/dim]"
        console.print(Panel(body, title=t("demo.trials.to", person=trial.person), expand=False))


def print_answers(
    console: Console, trials: list[Trial], figures: FunnelFigures, crowd: int, t: Translator
) -> None:
    section(console, t("demo.answers.title"), t("demo.answers.note", crowd=crowd))
    for trial in trials:
        console.print(f"{trial.person} → [bold]{trial.answer}[/bold]: {render(trial.reply).text}")
    console.print(funnel_table(t("demo.answers.funnel"), figures, t))


def print_next(console: Console, db_path: str, t: Translator) -> None:
    section(console, t("demo.next.title"), "")
    console.print(t("demo.next.body", db=db_path))


def _reason(reason: dict[str, object]) -> str:
    detail = reason.get("count", reason.get("value"))
    return f"{reason.get('code')}={detail}" if detail is not None else str(reason.get("code"))
