"""Scrapy settings of the project (read once by components through ``from_crawler``).

Grouped as in Scrapy's default_settings: the project identity, then politeness.
Crawl, pipeline and archive settings arrive with the crawl (issue 3).
"""

BOT_NAME = "govreports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "govreports-crawler/0.1 (+https://github.com/open-gov-reports/crawler; research archive of 政府信息公开年报)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
FEED_EXPORT_ENCODING = "utf-8"
