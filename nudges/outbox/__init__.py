"""The outbox: every message waits here as a row until the delivery worker sends it.

Producers (planner, digests, introductions) call `enqueue` in their own transaction; the
worker (`nudges.outbox.worker`) claims due rows and sends them through the gateways.
"""

from nudges.outbox.enqueue import enqueue

__all__ = ["enqueue"]
