"""Slack: slack-bolt on the shared server, durable ingest, /engage, App Home, gateway."""

from adapters.slack.app import mount_slack

__all__ = ["mount_slack"]
