"""Slack: slack-bolt on the shared server, durable ingest, /engage, App Home, gateway."""

from adapters.slack.routes import mount_slack

__all__ = ["mount_slack"]
