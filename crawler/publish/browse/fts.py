"""Chinese full-text search in SQLite FTS5: character bigrams, written into the index column and into every query.

FTS5's ``unicode61`` tokenizer treats a run of Chinese characters as one token (it splits
only at spaces and punctuation), so ``信息公开`` would match only that exact run. Instead each
run of Han characters is indexed as its overlapping pairs (``信息 息公 公开``) plus its last
character alone, and a query is rewritten the same way into a phrase (``"信息 息公 公开"``):
the pairs must stand next to each other, so a query matches exactly where the report's text
has it as a substring, for any length of two characters or more; one character is a prefix
query on the pairs that start with it (or the run that ends with it).

Why bigrams and not a word segmenter (jieba): no dictionary to ship or load (jieba's is about
20 MB and takes a second to load), the same text always gives the same tokens, and a search
for a term that a segmenter cuts differently in the report (``依申请公开`` as 依/申请/公开 or
依申请/公开) still matches. The cost is an index a few times larger than the text, which for
reports of a few thousand characters is small.

Latin letters and digits stay words (unicode61 lowercases them), so ``2023`` or ``T3`` match too.
"""

from __future__ import annotations

import re

# Han ideographs (basic block, extension A, compatibility ideographs): the characters that get bigrams
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"([{_HAN}]+)")
# the query syntax Datasette's own escaping keeps: quoted phrases stay phrases, the rest splits at spaces
_QUERY_BITS = re.compile(r'\s+|(".*?")')


def _run_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def bigram_text(text: str | None) -> str:
    """The text as FTS5 should index it: Han runs as bigrams and their last character, the rest as it is."""
    if not text:
        return ""
    out: list[str] = []
    for n, part in enumerate(_RUNS.split(text)):
        if not part:
            continue
        if n % 2:  # a Han run (the split's captured group)
            out.extend(_run_tokens(part))
        else:
            out.append(part)
    return " ".join(out)


def _phrase(term: str) -> str:
    """One query term as an FTS5 phrase over the same tokens the index has."""
    parts = [(n % 2 == 1, part) for n, part in enumerate(_RUNS.split(term)) if part]
    tokens: list[str] = []
    prefix = False
    for i, (han, part) in enumerate(parts):
        if not han:
            tokens.extend(re.findall(r"\w+", part))
            continue
        if i < len(parts) - 1:
            # something other than Han follows, so the report's run ends here too: its tokens, lone last character included
            tokens.extend(_run_tokens(part))
        elif len(part) > 1:
            # the query ends inside what may be a longer run of the report: its pairs only
            tokens.extend(_run_tokens(part)[:-1])
        else:
            # one character at the end: a prefix of the pairs that start with it (or the run it ends)
            tokens.append(part)
            prefix = True
    if not tokens:
        return ""
    phrase = '"' + " ".join(tokens) + '"'
    return phrase + " *" if prefix else phrase


def match_query(query: str | None) -> str:
    """A user's search (words, Chinese terms, "quoted phrases") as an FTS5 MATCH expression; every term must match."""
    if not query:
        return ""
    if query.count('"') % 2:
        query += '"'
    phrases = [_phrase(bit.strip('"')) for bit in _QUERY_BITS.split(query) if bit and bit != '""']
    # nothing searchable (only punctuation): a phrase no index holds, rather than a syntax error
    return " ".join(p for p in phrases if p) or '""'
