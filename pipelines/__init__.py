"""Item pipelines: thin adapters from fetched items to :func:`crawler.report.process`."""
