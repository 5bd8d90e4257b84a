"""`engage campaign …`: campaigns from the command line and from YAML files (as the operator)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from sqlmodel import Session

from bot.animators.roles import Actor
from bot.campaigns.form import CampaignView, load_view
from bot.campaigns.store import (
    ApplyReport,
    apply_campaigns,
    change_state,
    export_campaigns,
    save_campaign,
    workspace_campaigns,
)
from bot.cli.campaign_io import campaign_of, run
from bot.cli.campaign_render import list_table, view_data, view_tables
from bot.cli.context import output_path, yaml_text
from bot.cli.language import operator_translator
from bot.commands import figure
from bot.events import utcnow
from bot.settings import Settings
from bot.storage.models import Campaign

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
    rows = run(lambda s, _, a: workspace_campaigns(s, a), workspace=workspace, write=False)
    Console().print(list_table(rows, operator_translator()))


def _view(reference: str, workspace: str | None, as_of: datetime) -> CampaignView:
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
    view = _view(reference, workspace, utcnow())
    if as_json:
        typer.echo(json.dumps(view_data(view), indent=2, ensure_ascii=False))
    else:
        Console().print(*view_tables(view, operator_translator()))


@campaign_app.command("preview")
def preview_command(reference: str = REFERENCE, workspace: str | None = WORKSPACE) -> None:
    """How many people the campaign could reach now (fewer than the minimum group is hidden)."""
    view = _view(reference, workspace, utcnow())
    t = operator_translator()
    reach = figure(t, view.eligible)
    typer.echo(t("cli.campaign.reach", name=view.campaign.name, reach=reach))


def _move(verb: str, reference: str, workspace: str | None) -> None:
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
    text = yaml_text(path)
    now = utcnow()

    def apply(session: Session, settings: Settings, actor: Actor) -> ApplyReport:
        return apply_campaigns(session, actor.workspace_id, text, source=path.name, now=now)

    report = run(apply, workspace=workspace, write=True)
    t = operator_translator()
    counts = (len(report.created), len(report.updated), len(report.unchanged))
    typer.echo(t("cli.campaign.applied", created=counts[0], updated=counts[1], same=counts[2]))
