"""Platform edges: Slack, Teams and the local console."""
