"""Item pipelines: thin adapters from fetched items to :func:`crawler.core.report.process`."""
