"""Spiders: discovery and fetching of annual-report pages (no parsing of report contents)."""
