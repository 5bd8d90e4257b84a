"""Storage: tables, engine factory, migrations and the async session helper."""
