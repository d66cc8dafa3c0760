"""Ruled tables of a PDF page: the grid of cells its lines draw, and the text in each cell.

This gives what pdfplumber's ``TableFinder`` (default "lines" settings) and
``Table.extract`` give, cell for cell, at a fraction of the cost. The cheap
steps are redone without pdfplumber's per-step dict copies (snapping and joining
ruling edges, grouping cells into tables by shared corners), and the costly ones
in another way:

* finding cells: pdfplumber compares sets of edges per pair of crossing points
  and scans all points for each one; here each crossing point's edges are a
  frozenset built once, and the points below / right of a point come from
  per-column and per-row lists;
* filling cells: pdfplumber tests every char of the page against every row, then
  every char of the row against every cell; here the chars are sorted once by
  their vertical middle, each row takes its band by bisection, and only the
  chars of that band are tested against the row's cells;
* the text of a cell: :mod:`crawler.core.extract.pdf_celltext`.

The containment rules (a char belongs to a cell when its middle is inside,
left and top edges inclusive), the order of chars and the cell text are the
same as pdfplumber's, so records do not change; ``tests/test_pdf_layout.py``
compares the two on real files.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import defaultdict
from operator import itemgetter
from typing import Any

from pdfplumber.table import TableSettings

from crawler.core.extract.pdf_celltext import cell_text, clusters
from crawler.core.extract.pdf_layout import LayoutPage

Obj = dict[str, Any]
BBox = tuple[float, float, float, float]
Point = tuple[float, float]

_SETTINGS = TableSettings.resolve(None)  # pdfplumber's defaults: ruling lines both ways


class GridRow:
    """One row of a table: per column, the cell starting there, or None where a merged cell covers it."""

    __slots__ = ("bbox", "cells")

    def __init__(self, cells: list[BBox | None]) -> None:
        self.cells = cells
        present = [c for c in cells if c is not None]
        self.bbox = (
            min(c[0] for c in present),
            min(c[1] for c in present),
            max(c[2] for c in present),
            max(c[3] for c in present),
        )


class CharIndex:
    """A page's chars sorted by vertical middle, for taking a band of rows by bisection."""

    def __init__(self, chars: list[Obj]) -> None:
        self.chars = chars
        # (vertical middle, horizontal middle, position on the page), middles as pdfplumber computes them
        entries = sorted(((ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2, pos) for pos, ch in enumerate(chars))
        self.entries = entries
        self.mids = [e[0] for e in entries]

    def in_box(self, bbox: BBox) -> list[tuple[float, float, int]]:
        """Entries whose middle is inside ``bbox`` (left/top inclusive), in page order."""
        x0, top, x1, bottom = bbox
        lo, hi = bisect_left(self.mids, top), bisect_left(self.mids, bottom)
        found = [e for e in self.entries[lo:hi] if x0 <= e[1] < x1]
        found.sort(key=itemgetter(2))
        return found


class GridTable:
    """A ruled table: its cells, their rows, and the text of each cell."""

    def __init__(self, cells: list[BBox], chars: CharIndex) -> None:
        self.cells = cells
        self._chars = chars
        self.bbox: BBox = (
            min(c[0] for c in cells),
            min(c[1] for c in cells),
            max(c[2] for c in cells),
            max(c[3] for c in cells),
        )
        self.rows = _rows(cells)

    def extract(self) -> list[list[str | None]]:
        """Each row's cell texts; None for a column a merged cell covers, "" for an empty cell."""
        page_chars = self._chars.chars
        table: list[list[str | None]] = []
        for row in self.rows:
            row_chars = self._chars.in_box(row.bbox)
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                x0, top, x1, bottom = cell
                inside = [page_chars[pos] for v, h, pos in row_chars if x0 <= h < x1 and top <= v < bottom]
                texts.append(cell_text(inside))
            table.append(texts)
        return table


def find_tables(page: LayoutPage) -> list[GridTable]:
    """The page's ruled tables, top to bottom, as pdfplumber's default table finder sees them."""
    cells = _cells(_intersections(*_ruling_edges(page.edges)))
    if not cells:
        return []
    index = CharIndex(page.chars)
    return [GridTable(group, index) for group in _tables(cells)]


def _tables(cells: list[BBox]) -> list[list[BBox]]:
    """Cells that touch at a corner, transitively, form a table; tables of one cell are none.

    pdfplumber gets the same groups by sweeping the remaining cells until a sweep adds none
    (quadratic in cells); here a union-find over shared corners. Tables come top to bottom
    (then left to right) by their top-left cell; a cell's order inside its table does not
    matter, rows are built from sorted cells.
    """
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Point, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[BBox]] = defaultdict(list)
    for i, cell in enumerate(cells):
        groups[root(i)].append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    tables.sort(key=lambda g: min((c[1], c[0]) for c in g))
    return tables


def _rows(cells: list[BBox]) -> list[GridRow]:
    """Cells grouped by their top, each row spread over every column start of the table."""
    columns = sorted({c[0] for c in cells})
    rows = []
    for _, group in itertools.groupby(sorted(cells, key=itemgetter(1, 0)), key=itemgetter(1)):
        by_x = {c[0]: c for c in group}
        rows.append(GridRow([by_x.get(x) for x in columns]))
    return rows


def _ruling_edges(edges: list[Obj]) -> tuple[list[BBox], list[BBox]]:
    """The page's vertical and horizontal ruling lines, snapped, joined and filtered as pdfplumber does.

    * edges shorter than 1 pt are dropped;
    * snapping: vertical edges whose x (horizontal edges whose y) lie within 3 pt of each other,
      chained, move to the mean of their group (``x + (mean - x)``, as pdfplumber computes it);
    * joining: edges on one line that overlap or leave a gap of at most 3 pt become one;
    * edges shorter than 3 pt are dropped.

    pdfplumber copies an edge dict at every step; here an edge is a list
    ``[x0, top, x1, bottom, width, height]`` changed in place. Sums and differences are
    taken in pdfplumber's order, so the float values are its own.
    """
    s = _SETTINGS
    first = s.edge_min_length_prefilter
    keys = ("x0", "top", "x1", "bottom", "width", "height")
    verticals = [[e[k] for k in keys] for e in edges if e["orientation"] == "v" and e["height"] >= first]
    horizontals = [[e[k] for k in keys] for e in edges if e["orientation"] == "h" and e["width"] >= first]
    verticals = _snap(verticals, 0, s.snap_x_tolerance)
    horizontals = _snap(horizontals, 1, s.snap_y_tolerance)
    vs = _join(verticals, line=0, start=1, end=3, length=5, tolerance=s.join_y_tolerance)
    hs = _join(horizontals, line=1, start=0, end=2, length=4, tolerance=s.join_x_tolerance)
    least = s.edge_min_length
    return (
        [(e[0], e[1], e[2], e[3]) for e in vs if e[5] >= least],
        [(e[0], e[1], e[2], e[3]) for e in hs if e[4] >= least],
    )


def _snap(edges: list[list[float]], at: int, tolerance: float) -> list[list[float]]:
    """Move edges whose coordinate ``at`` (x0 or top) is within tolerance, chained, to their mean."""
    snapped: list[list[float]] = []
    for group in clusters(edges, itemgetter(at), tolerance):
        mean = sum(e[at] for e in group) / len(group)
        for e in group:
            shift = mean - e[at]
            e[at] += shift
            e[at + 2] += shift  # x1 with x0, bottom with top
        snapped.extend(group)
    return snapped


def _join(edges: list[list[float]], line: int, start: int, end: int, length: int, tolerance: float) -> list[list[float]]:
    """Join edges on the same line (equal coordinate ``line``) that overlap or nearly touch."""
    joined: list[list[float]] = []
    for _, same_line in itertools.groupby(sorted(edges, key=itemgetter(line)), key=itemgetter(line)):
        run = sorted(same_line, key=itemgetter(start))
        last = run[0]
        joined.append(last)
        for e in run[1:]:
            if e[start] <= last[end] + tolerance:
                if e[end] > last[end]:
                    # pdfplumber's resize: x1 sets width = x1 - x0, bottom adds its change to height
                    last = list(last)
                    if end == 2:
                        last[4] = e[end] - last[0]
                    else:
                        last[5] = last[5] + (e[end] - last[end])
                    last[end] = e[end]
                    joined[-1] = last
            else:
                last = e
                joined.append(last)
    return joined


def _intersections(verticals: list[BBox], horizontals: list[BBox]) -> dict[Point, tuple[frozenset[BBox], frozenset[BBox]]]:
    """Points where a vertical and a horizontal edge cross (within tolerance), with the edges through each.

    Edges are compared by their boxes, as pdfplumber does: two edges with the same box are one.
    """
    x_tol, y_tol = _SETTINGS.intersection_x_tolerance, _SETTINGS.intersection_y_tolerance
    horizontals = sorted(horizontals, key=itemgetter(1))
    tops = [h[1] for h in horizontals]
    crossing: dict[Point, tuple[set[BBox], set[BBox]]] = {}
    for v in verticals:
        x, v_top, _, v_bottom = v
        # horizontals whose y is within [v_top - tol, v_bottom + tol]; the bisection only skips
        # what is surely out (a margin of 1 against rounding), the tests below are pdfplumber's
        start = bisect_left(tops, v_top - y_tol - 1)
        for h in horizontals[start:]:
            y = h[1]
            if y - y_tol > v_bottom:
                break
            if h[0] - x_tol <= x <= h[2] + x_tol and v_top <= y + y_tol:
                point = (x, y)
                if point not in crossing:
                    crossing[point] = (set(), set())
                v_set, h_set = crossing[point]
                v_set.add(v)
                h_set.add(h)
    return {p: (frozenset(v), frozenset(h)) for p, (v, h) in crossing.items()}


def _cells(points: dict[Point, tuple[frozenset[BBox], frozenset[BBox]]]) -> list[BBox]:
    """For each crossing point, the smallest cell it is the top-left corner of (pdfplumber's rule).

    A cell needs a vertical edge joining its top-left corner to the bottom-left, a horizontal edge
    joining it to the top-right, and a bottom-right corner joined to both. Points are taken in
    (x, y) order, the candidates below nearest first, then those to the right nearest first.
    """
    below: dict[float, list[float]] = defaultdict(list)  # x -> ys of the points in that column
    right: dict[float, list[float]] = defaultdict(list)  # y -> xs of the points in that row
    ordered = sorted(points)
    for x, y in ordered:
        below[x].append(y)
    for x, y in sorted(ordered, key=itemgetter(1, 0)):
        right[y].append(x)

    cells: list[BBox] = []
    for x, y in ordered:
        v_here, h_here = points[(x, y)]
        column = below[x]
        down = [py for py in column[bisect_left(column, y) + 1 :] if v_here & points[(x, py)][0]]
        if not down:
            continue
        row = right[y]
        across = [px for px in row[bisect_left(row, x) + 1 :] if h_here & points[(px, y)][1]]
        cell = _first_closed(points, x, y, down, across)
        if cell is not None:
            cells.append(cell)
    return cells


def _first_closed(
    points: dict[Point, tuple[frozenset[BBox], frozenset[BBox]]],
    x: float,
    y: float,
    down: list[float],
    across: list[float],
) -> BBox | None:
    for by in down:
        below_h = points[(x, by)][1]
        for rx in across:
            corner = points.get((rx, by))
            if corner is not None and corner[0] & points[(rx, y)][0] and corner[1] & below_h:
                return (x, y, rx, by)
    return None
