"""A mock government portal on 127.0.0.1 for demos, end-to-end tests and benchmarks.

``crawler.demo.portal.DemoPortal`` serves a county portal (示范县人民政府) that mixes the
publishing families real portals use: TRS/WCM static lists paged by ``createPageHTML``,
a Hanweb 大汉 column fed by ``dataproxy.jsp``, a Guangdong ``gkmlpt`` JSON column and a
list only a browser can render; plus an off-site second server.  Run it by hand with
``python -m crawler.demo.portal --port 8000``.

The package imports nothing at start-up so ``python -m crawler.demo.portal`` runs cleanly.
"""
