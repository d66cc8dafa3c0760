"""WARC archiving and reading (warcio); Scrapy is imported only by the extension module."""
