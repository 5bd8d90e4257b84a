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
from bot.cli.funnel import LABELS
from bot.cli.stats_render import ENGLISH, community_table, ladder_table, shown
from bot.commands.format import community_name
from bot.metrics.funnel import FIELDS, FunnelFigures


def section(console: Console, title: str, note: str) -> None:
    console.print()
    console.print(Rule(f"[bold]{title}[/bold]"))
    console.print(note)


def print_overview(console: Console, figures: Overview, as_of: date) -> None:
    section(console, "1. The organisation's engagement ladder", "Each person's highest rung.")
    console.print(ladder_table([figures.ladder], as_of))
    section(
        console,
        "2. Most alive versus largest communities",
        "Size is not health: a big community can be mostly silent.",
    )
    alive = Table(title="Most alive (rhythm)")
    for column in ("community", "rhythm", "weeks", "members", "silent"):
        alive.add_column(column)
    for ranked, stats in figures.alive:
        alive.add_row(
            f"#{community_name(ENGLISH, ranked.name, ranked.external_id)}",
            ranked.rhythm,
            f"{ranked.active_weeks}/12",
            shown(stats.members),
            shown(stats.silent_share, "percent"),
        )
    largest = Table(title="Largest (members)")
    for column in ("community", "members", "rhythm", "weeks", "silent"):
        largest.add_column(column)
    for sized in figures.largest:
        largest.add_row(
            f"#{sized.name}",
            str(sized.members),
            shown(sized.stats.rhythm),
            f"{shown(sized.stats.active_weeks)}/12",
            shown(sized.stats.silent_share, "percent"),
        )
    console.print(Columns([alive, largest]))


def print_health(console: Console, name: str, figures: Overview) -> None:
    section(
        console,
        f"3. Health card of #{name}",
        "Posts per week over 12 weeks, and the share of members who stayed silent.",
    )
    for sized in figures.largest:
        if sized.name == name:
            console.print(community_table(name, sized.stats))


def print_trials(console: Console, trials: list[Trial]) -> None:
    section(
        console,
        "4. Suggestions for three people who asked for them",
        "Each carries its reasons; counts, never names.",
    )
    for trial in trials:
        reasons = ", ".join(_reason(reason) for reason in trial.reasons) or "none"
        body = f"{render(trial.suggestion).text}\n\n[dim]reasons: {reasons}[/dim]"
        console.print(Panel(body, title=f"to {trial.person}", expand=False))


def print_answers(
    console: Console, trials: list[Trial], figures: FunnelFigures, crowd: int
) -> None:
    section(
        console,
        "5. Their answers, through the command router",
        f"They click Follow, Join and Not interested; {crowd} more people answer too "
        "(figures under the minimum group size would be hidden).",
    )
    for trial in trials:
        console.print(f"{trial.person} → [bold]{trial.answer}[/bold]: {render(trial.reply).text}")
    table = Table(title="Suggestion funnel", show_header=False)
    table.add_column("stage")
    table.add_column("suggestions", justify="right")
    for name in FIELDS:
        table.add_row(LABELS[name], shown(getattr(figures, name)))
    console.print(table)


def print_next(console: Console, db_path: str) -> None:
    section(console, "6. What to try next", "")
    console.print(
        f"• Act as someone of this workspace: [bold]engage console --db {db_path}[/bold]\n"
        "  (type `help`; `as <person>`, `/engage start`, `tick 1w` …)\n"
        "• Run the server: [bold]engage serve[/bold] (health on http://127.0.0.1:3000/healthz)\n"
        "• Install on Slack (`engage slack-manifest --url …`) or Teams "
        "(`engage teams-package …`): see the README."
    )


def _reason(reason: dict[str, object]) -> str:
    detail = reason.get("count", reason.get("value"))
    return f"{reason.get('code')}={detail}" if detail is not None else str(reason.get("code"))
