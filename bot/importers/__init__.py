"""Importers: turn exported history from a platform into neutral events (never text)."""
