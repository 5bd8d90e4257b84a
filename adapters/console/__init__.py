"""The console adapter: try Engage locally without Slack or Teams (demo and console)."""
