"""Signals the spider sends so that the archive records what no response carries.

``fetch_failed``: a request ended without a response (timeout, refused, DNS);
kwargs ``request``, ``error``. ``browser_response``: a network response seen by
the browser while rendering a page; kwargs ``url``, ``method``,
``request_headers``, ``status``, ``reason``, ``headers``, ``body``.
"""

fetch_failed = object()
browser_response = object()
