"""`engage run-job` knows the engine's jobs, and runs one once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from bot.services import Services
from tests.support.outbox import add_community, add_people, add_workspace, outbox, queue_suggestion
from tests.support.processes import run_engage


async def test_run_job_lists_every_job(tmp_path: Path, database_url: str) -> None:
    code, _, err = await run_engage(
        "run-job", "nope", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 1
    assert err.strip() == (
        "engage: error: unknown job 'nope'; jobs: deliver, digest, fold, plan, retention, roster"
    )


async def test_deliver_without_slack_credentials_keeps_slack_messages_queued(
    services: Services, tmp_path: Path, database_url: str
) -> None:
    def seed(session: Session) -> None:
        workspace = add_workspace(session)
        (person,) = add_people(session, workspace, "U0ALICE01")
        queue_suggestion(session, person, add_community(session, workspace))

    await services.database.write(seed)
    code, out, err = await run_engage(
        "run-job",
        "deliver",
        cwd=tmp_path,
        ENGAGE_DATABASE_URL=database_url,
        ENGAGE_PLATFORMS="slack",
    )
    assert code == 0, err
    assert out.strip() == "no gateway installed: nothing delivered"
    assert [row.state for row in (await services.database.read(outbox)).values()] == ["pending"]


async def test_plan_and_digest_run_once(tmp_path: Path, database_url: str) -> None:
    for job in ("plan", "digest"):
        code, out, err = await run_engage(
            "run-job", job, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
        )
        assert code == 0, err
        assert out.strip()
