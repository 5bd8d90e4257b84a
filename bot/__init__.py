"""Engage core: settings, storage, tracker, metrics, commands, CLI and web wiring."""

__version__ = "0.1.0"
