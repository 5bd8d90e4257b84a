"""Slack: slack-bolt on the shared server, durable ingest, /engage, App Home, gateway."""
