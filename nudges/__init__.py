"""Suggestion engine: recommend, consent and fatigue policy, scheduling, delivery."""
