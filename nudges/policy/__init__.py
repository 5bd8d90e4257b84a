"""Consent and attention budget: who may receive a suggestion, and when."""
