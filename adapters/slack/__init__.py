"""Slack: slack-bolt on the shared server, durable ingest, /engage, App Home, gateway.

`routes.mount_slack` adds Slack to the shared server. This package imports nothing itself,
so `engage --help` does not load slack-bolt.
"""
