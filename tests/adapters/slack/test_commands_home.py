"""App Home: opening it publishes the person's own figures and settings."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from bot.services import Services
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.workspace import AS_OF, handcrafted_events


def view_texts(view: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for block in view["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [field["text"] for field in block.get("fields", [])]
        found += [element["text"]["text"] for element in block.get("elements", [])]
    return found


async def test_opening_the_home_tab_publishes_the_persons_figures(
    slack: Slack, services: Services
) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(12), tzinfo=UTC)
    response = await slack.event(fixture("events/app_home_opened"))
    (published,) = await slack.fake.wait_for("views.publish")
    view = published.params["view"]
    shown = view_texts(view)
    assert response.status == 200
    assert (published.params["user_id"], view["type"]) == ("U1", "home")
    assert shown[:2] == [
        "Engage",
        "Your own page: only you can see it. Engage suggests communities only if you ask "
        "for it, and never reads message text.",
    ]
    assert "Your last 28 days" in shown
    assert "*Posts*\n6" in shown
    assert "*Weeks with a post (of 12)*\n10" in shown
    assert "#archive-club · dormant rhythm\n#garden · steady rhythm\n#tiny" in shown
    assert "Your settings" in shown
    assert "Start suggestions" in shown
    assert "Pause 2 weeks" in shown


async def test_the_messages_tab_publishes_nothing(slack: Slack) -> None:
    messages_tab = fixture("events/app_home_opened")
    messages_tab["event"] |= {"tab": "messages", "user": "U2"}
    messages_tab["event_id"] = "Ev07QMESSAGESTAB"
    assert (await slack.event(messages_tab)).status == 200
    assert (await slack.event(fixture("events/app_home_opened"))).status == 200
    published = await slack.fake.wait_for("views.publish")
    assert [call.params["user_id"] for call in published] == ["U1"]
