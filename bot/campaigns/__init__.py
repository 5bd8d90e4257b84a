"""Nudge campaigns: one community, its animators, an audience, dates, a boost, results."""
