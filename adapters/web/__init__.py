"""The one aiohttp server that hosts every platform route, health and metrics."""
