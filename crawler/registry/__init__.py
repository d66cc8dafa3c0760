"""Regions, divisions and portals: the registry that ships with the project and the tools that grow it.

:mod:`regions` reads ``crawler/data/regions.json``; :mod:`divisions` the GB/T 2260 list; :mod:`discover`
and :mod:`regcheck` (through :mod:`webclient`) find and check portals; :mod:`schedule` says when a
region is due; :mod:`coverage` which organs have a stored report.
"""
