"""Records for people and other tools: flat exports, the data package, the summary a person reads,
the Datasette browser (:mod:`browse`) and the static report site (:mod:`site`).
"""
