"""What runs inside Scrapy: settings, items, middlewares, retry, progress, the books, rendering.

Also the pieces the spider (``spiders/reports.py``) calls per page: link discovery, challenge
cookies, the resumable job directory and the shared Redis frontier (:mod:`crawler.crawl.frontier`).
"""
