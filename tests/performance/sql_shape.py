"""Reading captured SQL for the shapes the planner cannot use (issue 13): an OR whose operands
hold a sub-select (`x OR y IN (SELECT ...)`, `x OR EXISTS (...)`), and units compared by code."""

import re

_SUBQUERY = re.compile(r"\(\s*SELECT\b|\bEXISTS\s*\(", re.IGNORECASE)
_OR = re.compile(r"\sOR\s", re.IGNORECASE)


def _groups(sql: str):
    """The text of every parenthesised group and of the whole statement, each with its nested
    groups blanked out (so an OR is read at the level it is written)."""
    stack, spans = [], []
    for i, ch in enumerate(sql):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            spans.append((stack.pop() + 1, i))
    spans.append((0, len(sql)))
    for start, end in spans:
        inner = sql[start:end]
        yield inner, _flatten(inner)


def _flatten(text: str) -> str:
    """`text` with every nested group replaced by `( )`, keeping a marker for sub-selects."""
    out, depth, group = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
            if depth == 1:
                group = []
                continue
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                inner = "".join(group)
                out.append("(SUBSELECT)" if _SUBQUERY.search("(" + inner + ")") else "( )")
                continue
        if depth:
            group.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def ors_over_subselects(sql: str) -> list[str]:
    """Each OR written at one level whose operands include a sub-select or an EXISTS."""
    found = []
    for original, flat in _groups(sql):
        if not _OR.search(flat):
            continue
        if "SUBSELECT" in flat or re.search(r"\bEXISTS\b", flat, re.IGNORECASE):
            found.append(original.strip()[:300])
    return found


def compares_unit_codes(sql: str) -> bool:
    """A statement that reads another table but filters it through the org unit's code."""
    return bool(re.search(r'"org_orgunit"\."code"\s*(=|IN\b)', sql)) and not re.match(
        r'\s*SELECT .* FROM "org_orgunit"\s+WHERE', sql, re.IGNORECASE | re.DOTALL
    )


def queries_of(client, url) -> int:
    """How many statements a page's second request runs (the first warms the content types and
    the session), the page answering 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)
