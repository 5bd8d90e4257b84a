"""Synthetic workspaces: realistic, deterministic activity for demos, tests and benchmarks.

`build_world(spec)` draws people and communities; `world.events()` streams their neutral
events day by day, so a workspace of any size is generated without holding it in memory.
"""

from bot.synth.population import SynthError, SynthSpec
from bot.synth.world import World, build_world

__all__ = ["SynthError", "SynthSpec", "World", "build_world"]
