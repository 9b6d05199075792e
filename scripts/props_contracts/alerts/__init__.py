"""Alerts: what changed (state.py), how it reads (format.py), how it is sent (deliver.py)."""
