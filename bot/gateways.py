"""Platform gateways join the core through the factories the composition root hands over.

A factory is `build_gateway(services) -> Gateway | None` (None when the platform is not
configured), one per platform name; `adapters.main` lists them. The core never imports an
adapter; `engage serve` and `engage run-job` call `install_gateways` once, before anything
is delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.delivery import Gateway
from bot.services import Services

GatewayFactory = Callable[[Services], Gateway | None]
log = logging.getLogger("engage.gateways")


def install_gateways(services: Services, factories: Mapping[str, GatewayFactory]) -> list[str]:
    """Add the gateway of every enabled platform that has none yet; return their names."""
    enabled = {platform.value for platform in services.settings.platforms}
    installed: list[str] = []
    for name, factory in sorted(factories.items()):
        if name not in enabled or name in services.gateways:
            continue
        gateway = factory(services)
        if gateway is None:
            log.info("%s: not configured, nothing will be delivered there", name)
            continue
        services.gateways[name] = gateway
        installed.append(name)
    return installed
