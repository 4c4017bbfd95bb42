"""Reusable widgets and UI helpers."""
