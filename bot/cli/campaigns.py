"""`engage campaign …` and `engage community …`, as the operator.

Campaigns (create, list, show, preview, activate/pause/resume/end, export, apply) from the
command line and from YAML files, shown as rich tables or JSON; and a community's settings
(pitch, never suggest, welcome line): show, set, apply a YAML file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.context import campaign_of, operator_translator, output_path, run, yaml_text
from bot.cli.stats import ENGLISH, plain, shown
from bot.errors import EngageError
from bot.events import utcnow
from bot.i18n import Translator

if TYPE_CHECKING:
    from rich.table import Table
    from sqlmodel import Session

    from bot.animators.roles import Actor
    from bot.campaigns.form import CampaignView
    from bot.campaigns.yaml_file import ApplyReport
    from bot.settings import Settings
    from bot.storage.models import Campaign, Community

campaign_app = typer.Typer(
    help="Campaigns that invite people to follow a community.", no_args_is_help=True
)
WORKSPACE = typer.Option(None, "--workspace", help="Workspace external id, if several.")
REFERENCE = typer.Argument(..., help="The campaign's number or name.")


@campaign_app.command("create")
def create_command(
    community: str = typer.Option(..., "--community", "-c", help="Community name or id."),
    name: str = typer.Option(..., "--name", help="A short name, unique in the community."),
    pitch_en: str = typer.Option("", "--pitch-en", help="Pitch in English."),
    pitch_fr: str = typer.Option("", "--pitch-fr", help="Pitch in French."),
    audience: str = typer.Option("everyone", help="everyone, members, active or department."),
    communities: str = typer.Option("", help="For members/active: communities, comma separated."),
    department: str = typer.Option("", help="For department: its name."),
    starts: str = typer.Option("", help="First day (YYYY-MM-DD); default today."),
    ends: str = typer.Option(..., help="Last day (YYYY-MM-DD)."),
    max_sends: str = typer.Option("", "--max-sends", help="Most suggestions to send."),
    boost: str = typer.Option("", help="Priority boost, 1 to 5 (default 2)."),
    workspace: str | None = WORKSPACE,
) -> None:
    """Create a draft campaign; `engage campaign activate` starts it."""
    from bot.campaigns.store import save_campaign

    values = {
        "community": community, "name": name, "pitch_en": pitch_en, "pitch_fr": pitch_fr,
        "audience": audience, "audience_communities": communities, "department": department,
        "starts": starts, "ends": ends, "max_sends": max_sends, "boost": boost,
    }  # fmt: skip
    now = utcnow()

    def create(session: Session, settings: Settings, actor: Actor) -> Campaign:
        return save_campaign(session, (), actor, values, today=now.date(), now=now)

    campaign = run(create, workspace=workspace, write=True)
    t = operator_translator()
    typer.echo(t("cli.campaign.created", id=campaign.id, name=campaign.name))


@campaign_app.command("list")
def list_command(workspace: str | None = WORKSPACE) -> None:
    """Every campaign of the workspace."""
    from rich.console import Console

    from bot.campaigns.store import workspace_campaigns

    rows = run(lambda s, _, a: workspace_campaigns(s, a), workspace=workspace, write=False)
    Console().print(list_table(rows, operator_translator()))


def _view(reference: str, workspace: str | None, as_of: datetime) -> CampaignView:
    from bot.campaigns.form import load_view

    def load(session: Session, settings: Settings, actor: Actor) -> CampaignView:
        campaign, community = campaign_of(session, actor, reference)
        return load_view(session, settings, campaign, community, as_of)

    return run(load, workspace=workspace, write=False)


@campaign_app.command("show")
def show_command(
    reference: str = REFERENCE,
    workspace: str | None = WORKSPACE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Settings, eligible people (a count) and results: sent, followed, joined, first posts."""
    from rich.console import Console

    view = _view(reference, workspace, utcnow())
    if as_json:
        typer.echo(json.dumps(view_data(view), indent=2, ensure_ascii=False))
    else:
        Console().print(*view_tables(view, operator_translator()))


@campaign_app.command("preview")
def preview_command(reference: str = REFERENCE, workspace: str | None = WORKSPACE) -> None:
    """How many people the campaign could reach now (fewer than the minimum group is hidden)."""
    from bot.commands import figure

    view = _view(reference, workspace, utcnow())
    t = operator_translator()
    reach = figure(t, view.eligible)
    typer.echo(t("cli.campaign.reach", name=view.campaign.name, reach=reach))


def _move(verb: str, reference: str, workspace: str | None) -> None:
    from bot.campaigns.store import change_state

    today = utcnow().date()

    def move(session: Session, settings: Settings, actor: Actor) -> Campaign:
        campaign, _ = campaign_of(session, actor, reference)
        return change_state(session, (), actor, campaign, verb, today)

    campaign = run(move, workspace=workspace, write=True)
    t = operator_translator()
    state = t(f"campaign.state.{campaign.state}")
    typer.echo(t("cli.campaign.moved", id=campaign.id, name=campaign.name, state=state))


def _mover(verb: str, summary: str) -> None:
    def command(reference: str = REFERENCE, workspace: str | None = WORKSPACE) -> None:
        _move(verb, reference, workspace)

    campaign_app.command(verb, help=summary)(command)


_mover("activate", "Start a draft campaign.")
_mover("pause", "Pause an active campaign: it boosts nobody until resumed.")
_mover("resume", "Resume a paused campaign.")
_mover("end", "End a campaign for good.")


@campaign_app.command("export")
def export_command(
    out: Path | None = typer.Option(None, help="Write the YAML here instead of printing it."),
    workspace: str | None = WORKSPACE,
) -> None:
    """Every campaign as YAML, ready for `engage campaign apply`."""
    from bot.campaigns.yaml_file import export_campaigns

    if out is not None:
        output_path(out)
    text = run(
        lambda s, _, a: export_campaigns(s, a.workspace_id), workspace=workspace, write=False
    )
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(operator_translator()("cli.files.wrote", path=out))


@campaign_app.command("apply")
def apply_command(
    path: Path = typer.Argument(..., help="A YAML file as written by `engage campaign export`."),
    workspace: str | None = WORKSPACE,
) -> None:
    """Create or update the file's campaigns, all or none; errors name the line and field."""
    from bot.campaigns.yaml_file import apply_campaigns

    text = yaml_text(path)
    now = utcnow()

    def apply(session: Session, settings: Settings, actor: Actor) -> ApplyReport:
        return apply_campaigns(session, actor.workspace_id, text, source=path.name, now=now)

    report = run(apply, workspace=workspace, write=True)
    t = operator_translator()
    counts = (len(report.created), len(report.updated), len(report.unchanged))
    typer.echo(t("cli.campaign.applied", created=counts[0], updated=counts[1], same=counts[2]))


def list_table(rows: list[tuple[Campaign, Community]], t: Translator = ENGLISH) -> Table:
    from rich.table import Table

    table = Table(title=t("cli.campaigns.title"))
    table.add_column("#")
    for column in ("name", "community", "state", "starts", "ends", "boost", "max_sends"):
        table.add_column(t(f"cli.campaigns.column.{column}"))
    for campaign, community in rows:
        table.add_row(
            str(campaign.id),
            campaign.name,
            f"#{community.name}",
            t(f"campaign.state.{campaign.state}"),
            campaign.starts_at.date().isoformat() if campaign.starts_at else "",
            campaign.ends_at.date().isoformat() if campaign.ends_at else "",
            f"×{campaign.boost:g}",
            str(campaign.max_sends or "—"),
        )
    return table


def view_data(view: CampaignView) -> dict[str, Any]:
    campaign = view.campaign
    audience = view.audience.as_json()
    if "communities" in audience:
        audience["communities"] = list(view.audience_names)
    return {
        "id": campaign.id,
        "name": campaign.name,
        "community": view.community.name,
        "state": campaign.state,
        "pitch": campaign.pitch,
        "audience": audience,
        "starts": view.starts_on.isoformat(),
        "ends": view.ends_on.isoformat(),
        "max_sends": campaign.max_sends,
        "boost": campaign.boost,
        "eligible": plain(view.eligible),
        "results": plain(view.funnel),
    }


def view_tables(view: CampaignView, t: Translator = ENGLISH) -> list[Table]:
    from rich.table import Table

    from bot.cards import sparkline
    from bot.metrics.definitions import Suppressed
    from bot.metrics.funnel import STEPS

    campaign = view.campaign
    title = t("cli.campaigns.show_title", id=campaign.id, name=campaign.name)
    settings = Table(title=title, show_header=False)
    settings.add_column(t("cli.campaigns.setting"))
    settings.add_column(t("cli.stats.value"))
    data = view_data(view) | {"state": t(f"campaign.state.{campaign.state}")}
    for name in ("community", "state", "audience", "starts", "ends", "max_sends", "boost"):
        settings.add_row(t(f"cli.campaigns.row.{name}"), str(data[name]))
    for language, words in campaign.pitch.items():
        settings.add_row(t("cli.campaigns.pitch", language=language), words)
    settings.add_row(t("cli.campaigns.reach"), shown(view.eligible, t=t))
    results = Table(title=t("cli.campaigns.results_title"))
    for column in ("step", "people", "conversion"):
        results.add_column(t(f"cli.campaigns.column.{column}"))
    funnel = view.funnel
    for step in (*STEPS, "dismissed"):
        rate = funnel.conversions.get(step)
        results.add_row(
            t(f"cli.campaigns.step.{step}"),
            shown(funnel.counts[step], t=t),
            shown(rate, "percent", t) if rate else "—",
        )
    tables = [settings, results]
    if not isinstance(funnel.weekly, Suppressed):
        weekly = Table(title=t("cli.campaigns.weekly_title"))
        weekly.add_column(t("cli.campaigns.column.step"))
        weekly.add_column(" ".join(funnel.weeks[:1] + funnel.weeks[-1:]))
        for step, values in funnel.weekly.items():
            weekly.add_row(t(f"cli.campaigns.step.{step}"), f"{sparkline(values)}  {list(values)}")
        tables.append(weekly)
    return tables


community_app = typer.Typer(
    help="A community's settings: pitch, never suggest, welcome line.", no_args_is_help=True
)
COMMUNITY = typer.Argument(..., help="The community's name or id.")


def _lines(name: str, pitch: str | None, never: bool, welcome: str | None) -> str:
    return (
        f"#{name}\n  pitch: {pitch or '—'}\n  never suggest: {'yes' if never else 'no'}\n"
        f"  welcome: {welcome or '—'}"
    )


@community_app.command("show")
def community_show_command(community: str = COMMUNITY, workspace: str | None = WORKSPACE) -> None:
    """The community's settings."""
    from bot.animators.commands import settings_of
    from bot.commands.lookup import find_community

    def load(session: Session, _settings: Settings, actor: Actor) -> str:
        found = find_community(session, actor, community)
        settings = settings_of(found)
        name = found.name or found.external_id
        return _lines(name, settings.pitch, settings.never_suggest, settings.welcome)

    typer.echo(run(load, workspace=workspace, write=False))


@community_app.command("set")
def community_set_command(
    community: str = COMMUNITY,
    pitch: str | None = typer.Option(None, help="Why follow it (empty: none)."),
    never_suggest: bool | None = typer.Option(
        None, "--never-suggest/--suggest", help="Never suggest it, or suggest it again."
    ),
    welcome: str | None = typer.Option(
        None, help="Sent to people who join after a suggestion (empty: none)."
    ),
    workspace: str | None = WORKSPACE,
) -> None:
    """Change any of the community's settings; the others stay."""
    from bot.animators.commands import SettingError, save_settings
    from bot.commands.lookup import find_community

    given = {"pitch": pitch, "never_suggest": never_suggest, "welcome": welcome}
    values = {name: value for name, value in given.items() if value is not None}
    if not values:
        raise EngageError("give --pitch, --never-suggest/--suggest or --welcome")

    def change(session: Session, _settings: Settings, actor: Actor) -> list[str]:
        found = find_community(session, actor, community)
        try:
            return save_settings(session, (), actor, found, values)
        except SettingError as problem:
            raise EngageError(ENGLISH(problem.key, **problem.values)) from None

    changed = run(change, workspace=workspace, write=True)
    typer.echo(f"changed: {', '.join(changed)}" if changed else "nothing changed")


@community_app.command("apply")
def community_apply_command(
    path: Path = typer.Argument(
        ..., help="YAML: a list of `community:` entries with pitch, never_suggest, welcome."
    ),
    workspace: str | None = WORKSPACE,
) -> None:
    """Apply every entry of the file, all or none; errors name the entry."""
    from bot.animators.commands import apply_yaml

    text = yaml_text(path)
    changed = run(
        lambda session, _, actor: apply_yaml(session, actor, text, path.name),
        workspace=workspace,
        write=True,
    )
    for name, fields in changed.items():
        typer.echo(f"#{name}: {', '.join(fields) if fields else 'unchanged'}")
