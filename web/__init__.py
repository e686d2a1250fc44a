"""The web app, the CLI and the scheduler entry point: the only place that reads settings."""
