"""The open crawler and archive of China's government information-disclosure annual reports.

``crawler`` holds the Scrapy project settings and the framework-free core:
extraction (:mod:`crawler.extract`), normalisation (:mod:`crawler.normalize`)
and the shared parser (:mod:`crawler.parse`), joined in :mod:`crawler.report`.
"""
