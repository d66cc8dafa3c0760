"""The record store (SQLite by default, PostgreSQL for many writers) and what reads or guards it.

:mod:`database` holds the tables and the writes; :mod:`grouplock` the locks several writers share;
:mod:`queries` the read API; :mod:`corpus` the checks across years; :mod:`runs` the registry's books.
"""
