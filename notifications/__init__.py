"""Outbox, rendering and delivery of notifications."""
