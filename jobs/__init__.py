"""Scheduled jobs (PTB JobQueue); thin wrappers over the services."""
