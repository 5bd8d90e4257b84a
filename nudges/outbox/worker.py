"""The delivery worker: claim due rows, send them through the gateways, record outcomes.

One `run` drains what is due now, a few rows at a time sent concurrently, and returns;
the scheduler calls it again every few seconds. Nothing waits on a rate limit: a row told
to retry later goes back to `pending` with a later `not_before`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session

from bot.delivery import DeliveryResult, PermanentFailure
from bot.services import Services
from nudges.outbox import card_from_data
from nudges.outbox.records import (
    Claim,
    Decision,
    Refusal,
    RetryPolicy,
    claim_due,
    decide,
    expire_leases,
    record,
)

log = logging.getLogger("engage.delivery")
SendCheck = Callable[[Session, int, dict[str, Any]], bool | Refusal]
"""True to send; False or a `Refusal` (saying why) to cancel."""
NO_LONGER_DUE = Refusal("consent withdrawn or no longer due")


def allow_all(_session: Session, _person_id: int, _payload: dict[str, Any]) -> bool:
    return True


class DeliveryWorker:
    def __init__(
        self,
        services: Services,
        *,
        may_send: SendCheck = allow_all,
        rng: random.Random | None = None,
    ) -> None:
        settings = services.settings
        self.services = services
        self.may_send = may_send
        self.policy = RetryPolicy(settings.delivery_max_attempts, settings.delivery_backoff_seconds)
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.send_timeout = settings.delivery_lease_seconds / 2
        self.batch = settings.delivery_concurrency
        self.rng = rng or random.Random()

    async def run(self, limit: int = 1000) -> Counter[str]:
        """Expire dead claims, then send what is due (at most `limit` rows); count outcomes."""
        database = self.services.database
        outcomes: Counter[str] = Counter()
        expired = await database.write(partial(expire_leases, now=self.services.clock()))
        if expired:
            log.warning("%d message(s) were left sending by a stopped process: unknown", expired)
            outcomes["unknown"] += expired
        platforms = tuple(self.services.gateways)
        handled = 0
        while handled < limit:
            claims = await database.write(
                partial(
                    claim_due,
                    now=self.services.clock(),
                    platforms=platforms,
                    limit=min(self.batch, limit - handled),
                    lease=self.lease,
                )
            )
            if not claims:
                break
            handled += len(claims)
            results = await asyncio.gather(
                *(self._deliver(c) for c in claims), return_exceptions=True
            )
            for claim, result in zip(claims, results, strict=True):
                if isinstance(result, BaseException):
                    # The database failed around the send: the row stays `sending` and
                    # its lease turns it `unknown`, never sent twice.
                    log.error("outbox row %d: not recorded", claim.id, exc_info=result)
                    result = "error"
                outcomes[result] += 1
        return outcomes

    async def _deliver(self, claim: Claim) -> str:
        allowed = await self.services.database.write(partial(self._check, claim=claim))
        if not allowed:
            return "cancelled"
        try:
            result = await self._send(claim)
        except TimeoutError:
            decision = Decision("unknown", last_error=f"no answer within {self.send_timeout:g} s")
        except Exception as exc:
            log.exception(
                "outbox row %d: the %s gateway failed", claim.id, claim.recipient.platform
            )
            decision = Decision("unknown", last_error=f"gateway error: {type(exc).__name__}")
        else:
            decision = decide(result, claim.attempts, self.services.clock(), self.policy, self.rng)
        await self._record(claim, decision)
        log.info("outbox row %d (%s): %s", claim.id, claim.kind, decision.state)
        return decision.state

    def _check(self, session: Session, claim: Claim) -> bool:
        """Consent and budget again at send time, in one transaction with the cancellation."""
        if claim.person_deleted:
            return True
        verdict = self.may_send(session, claim.person_id, claim.payload)
        if verdict:
            return True
        refusal = verdict if isinstance(verdict, Refusal) else NO_LONGER_DUE
        cancelled = Decision("cancelled", last_error=f"not sent: {refusal.reason}")
        record(session, claim, cancelled, self.services.clock())
        return False

    async def _send(self, claim: Claim) -> DeliveryResult:
        if claim.person_deleted:
            return PermanentFailure("person deleted")
        try:
            card = card_from_data(claim.payload["card"])
        except (KeyError, TypeError, ValueError) as exc:
            return PermanentFailure(f"unreadable card: {type(exc).__name__}")
        gateway = self.services.gateways[claim.recipient.platform]
        async with asyncio.timeout(self.send_timeout):
            return await gateway.send_card(claim.recipient, card)

    async def _record(self, claim: Claim, decision: Decision) -> None:
        now: datetime = self.services.clock()
        await self.services.database.write(lambda session: record(session, claim, decision, now))
