"""The neutral cards of the suggestion engine; adapters render them per platform."""
