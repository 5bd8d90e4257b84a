"""Animators: roles (admins, animators) and their audit log; the `animators` and `community`
commands."""
