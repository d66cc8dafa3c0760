"""Document -> record, with no Scrapy and no store: extract, normalise, parse, merge, the worker pool.

Everything that turns bytes into a record lives here and is called the same way by the live crawl
(``pipelines/``), the rebuild from WARC files (:mod:`crawler.rebuild`) and ``python -m crawler parse``.
"""
