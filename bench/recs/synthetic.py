"""Synthetic workspaces from `bot.synth`, as timelines for the offline evaluation."""

from __future__ import annotations

from datetime import date

from bench.recs.slack_export import Timeline
from bot.synth import SynthSpec, build_world

END = date(2026, 1, 1)


def synthetic_timeline(*, seed: int, people: int, communities: int, days: int) -> Timeline:
    spec = SynthSpec(people=people, communities=communities, days=days, end=END, seed=seed)
    world = build_world(spec)
    timeline = Timeline(workspace=spec.workspace)
    timeline.events = sorted(world.events(), key=lambda event: (event.occurred_at, event.key))
    return timeline
