"""Roles (admins, animators) and the audit log of every change."""
