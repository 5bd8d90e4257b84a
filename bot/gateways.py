"""Platform gateways join the core through the `engage.gateways` entry point group.

Each adapter declares one, named after its platform, in pyproject.toml:

    [project.entry-points."engage.gateways"]
    slack = "adapters.slack.gateway:build_gateway"

The target is `build_gateway(services) -> Gateway | None` (None when the platform is not
configured). The core never imports an adapter; `engage serve` and `engage run-job` call
`install_gateways` once, before anything is delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points

from bot.delivery import Gateway
from bot.services import Services

GATEWAY_GROUP = "engage.gateways"
GatewayFactory = Callable[[Services], Gateway | None]
log = logging.getLogger("engage.gateways")


def install_gateways(services: Services) -> list[str]:
    """Add the gateway of every enabled platform that has none yet; return their names."""
    enabled = {platform.value for platform in services.settings.platforms}
    installed: list[str] = []
    for entry in sorted(entry_points(group=GATEWAY_GROUP), key=lambda entry: entry.name):
        if entry.name not in enabled or entry.name in services.gateways:
            continue
        factory: GatewayFactory = entry.load()
        gateway = factory(services)
        if gateway is None:
            log.info("%s: not configured, nothing will be delivered there", entry.name)
            continue
        services.gateways[entry.name] = gateway
        installed.append(entry.name)
    return installed
