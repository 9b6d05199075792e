"""Partition-pruning check of the project's BigQuery SQL.

BigQuery bills the bytes a query scans. On a table partitioned by a DATE column
a query reads only the partitions its filter on that column allows, and a table
with `require_partition_filter` refuses a query without one. A contract that
reads a partitioned table without such a filter scans the table's whole history
every night: a bill that grows with the table, and a failure the day someone
turns `require_partition_filter` on.

This module reads the SQL dbt compiled for BigQuery (manifest.json) and reports
every scan of a partitioned relation that no filter on its partition column
reaches. It follows the filter the way BigQuery pushes it down:

* through views, CTEs and subqueries, to the table the column comes from;
* through a column passed as is (or cast to DATE: partition columns are DATEs);
* through GROUP BY only when the column is a grouping key, and through a window
  function (QUALIFY dedup) only when the column is in its PARTITION BY: only
  then does a filter above mean the same as the filter below;
* never through LIMIT, and not onto the outer side of an outer join from its
  WHERE (the NULL-extended rows make it mean something else).

A filter counts when it bounds the column by a constant: `=`, `<`, `<=`, `>`,
`>=`, BETWEEN or IN (literal list) against an expression with no column and no
subquery (`current_date()` and casts of literals are constants). A comparison
with a subquery's result, or an OR whose branches do not all bound the column,
does not prune. Transitive filters through a join (`a.d = b.d and b.d >= X`)
are not counted either: BigQuery does not promise to derive them.

The rules are deliberately strict: where this check passes, the filter is
written where BigQuery needs it. sqlglot (a maintained SQL parser with a
BigQuery dialect) parses; the rules above are this project's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

from props_contracts.errors import PropsContractsError


class PruningCheckError(PropsContractsError):
    """The check could not judge the SQL (no manifest, unparsable SQL): never a pass."""


@dataclass(frozen=True)
class Relation:
    """A relation the compiled SQL may read, known from the manifest."""

    label: str                      # "source nba_raw.nbac_schedule", "model fct_x"
    partition_column: str | None = None
    view_sql: str | None = None     # a view's compiled SELECT (read through, not scanned)
    columns: tuple[str, ...] = ()   # declared columns (sources), for `select *`


@dataclass(frozen=True)
class UnprunedScan:
    """A scan of a partitioned relation that no partition filter reaches."""

    query: str            # the node that runs the query (unique_id)
    invariant_id: str     # the node's meta.invariant_id, '' if none
    relation: str         # the partitioned relation's label
    partition_column: str
    path: tuple[str, ...]  # views / CTEs / subqueries the scan sits under

    def describe(self) -> str:
        via = " -> ".join(self.path)
        inv = f" [{self.invariant_id}]" if self.invariant_id else ""
        return (f"{self.query}{inv}: reads {self.relation} without a filter on "
                f"{self.partition_column}" + (f" (via {via})" if via else ""))


@dataclass
class CheckedQuery:
    name: str
    sql: str
    invariant_id: str = ""
    kind: str = "query"  # test, model, snapshot, MERGE target, source freshness


@dataclass
class PruningReport:
    checked: list[CheckedQuery] = field(default_factory=list)
    partitioned: list[str] = field(default_factory=list)
    findings: list[UnprunedScan] = field(default_factory=list)


def _key(table: exp.Table) -> tuple[str, str]:
    return (table.db or "").lower(), table.name.lower()


def _relation_key(relation_name: str) -> tuple[str, str]:
    try:
        table = sqlglot.parse_one(relation_name, read="bigquery", into=exp.Table)
    except sqlglot.errors.ParseError as exc:
        raise PruningCheckError(f"relation name {relation_name!r} is not a BigQuery table name: {exc}") from exc
    return _key(table)


def _parse(sql: str, name: str) -> exp.Expression:
    try:
        parsed = sqlglot.parse(sql, read="bigquery")
    except sqlglot.errors.ParseError as exc:
        raise PruningCheckError(f"{name}: its compiled SQL does not parse as BigQuery: {exc}") from exc
    statements = [p for p in parsed if p is not None]
    if len(statements) != 1:
        raise PruningCheckError(f"{name}: expected one SQL statement, found {len(statements)}")
    return statements[0]


# ---- predicates --------------------------------------------------------------------------

def _conjuncts(pred: exp.Expression | None) -> list[exp.Expression]:
    if pred is None:
        return []
    return list(pred.flatten()) if isinstance(pred, exp.And) else [pred]


def _unwrap(node: exp.Expression) -> exp.Expression:
    """Parentheses and casts to DATE do not hide a (DATE) partition column."""
    while True:
        if isinstance(node, exp.Paren):
            node = node.this
        elif isinstance(node, exp.Cast | exp.TryCast) and node.to.is_type(exp.DataType.Type.DATE):
            node = node.this
        else:
            return node


def _is_constant(node: exp.Expression) -> bool:
    return node.find(exp.Column, exp.Query) is None


def _bounded_columns(pred: exp.Expression) -> list[exp.Column]:
    """Columns this predicate bounds by a constant (what pruning can use)."""
    pred = _unwrap(pred) if isinstance(pred, exp.Paren) else pred
    if isinstance(pred, exp.And):
        return [c for p in pred.flatten() for c in _bounded_columns(p)]
    if isinstance(pred, exp.Or):
        branches = [_bounded_columns(p) for p in pred.flatten()]
        common = set.intersection(*({_col_id(c) for c in b} for b in branches))
        return [c for c in branches[0] if _col_id(c) in common]
    if isinstance(pred, exp.EQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        for side, other in ((pred.this, pred.expression), (pred.expression, pred.this)):
            side = _unwrap(side)
            if isinstance(side, exp.Column) and _is_constant(other):
                return [side]
        return []
    if isinstance(pred, exp.Is) and isinstance(pred.expression, exp.Null):
        # `col is null` reads only the NULL partition: an OR branch that keeps rows a
        # window cannot place (`col is null or col >= X`) still prunes
        side = _unwrap(pred.this)
        return [side] if isinstance(side, exp.Column) else []
    if isinstance(pred, exp.Between):
        side = _unwrap(pred.this)
        if isinstance(side, exp.Column) and _is_constant(pred.args["low"]) and _is_constant(pred.args["high"]):
            return [side]
        return []
    if isinstance(pred, exp.In):
        side = _unwrap(pred.this)
        values = pred.expressions
        if isinstance(side, exp.Column) and values and not pred.args.get("query") and all(
                _is_constant(v) for v in values):
            return [side]
    return []


def _col_id(col: exp.Column) -> tuple[str, str]:
    return col.table.lower(), col.name.lower()


# ---- the walk ----------------------------------------------------------------------------

@dataclass
class _Source:
    alias: str
    node: exp.Expression          # Table or Subquery
    join: exp.Join | None = None  # None for the FROM source


class _Walker:
    def __init__(self, relations: dict[tuple[str, str], Relation], query: CheckedQuery) -> None:
        self.relations = relations
        self.query = query
        self.findings: list[UnprunedScan] = []
        self._parsed: dict[tuple[str, str], exp.Expression] = {}
        self._columns: dict[int, list[str] | None] = {}

    # -- entry points
    def statement(self, stmt: exp.Expression) -> None:
        if isinstance(stmt, exp.Query):
            self.query_node(stmt, set(), {}, ())
        elif isinstance(stmt, exp.Merge):
            self.merge(stmt)
        else:
            raise PruningCheckError(f"{self.query.name}: cannot judge a {type(stmt).__name__} statement")

    def merge(self, merge: exp.Merge) -> None:
        """MERGE target ON ...: the ON bounds of the target prune its scan."""
        target, using = merge.this, merge.args["using"]
        alias = target.alias_or_name.lower()
        bounded = {c.name.lower() for c in _bounded_columns(merge.args["on"]) if c.table.lower() == alias}
        self.table(target, bounded, {}, ())
        if isinstance(using, exp.Subquery):
            self.query_node(using.this, set(), {}, (using.alias_or_name,))
        elif isinstance(using, exp.Table):
            self.table(using, set(), {}, ())

    # -- queries
    def query_node(self, node: exp.Expression, bounded: set[str], ctes: dict, path: tuple) -> None:
        if isinstance(node, exp.Subquery):
            self.query_node(node.this, bounded, ctes, path)
        elif isinstance(node, exp.SetOperation):
            # a union's columns are its first branch's; the others match by position
            names = self._query_columns(node, ctes) or []
            for branch in (node.left, node.right):
                branch_names = self._query_columns(branch, ctes) or []
                mapped = {branch_names[names.index(b)] for b in bounded
                          if b in names and names.index(b) < len(branch_names)}
                self.query_node(branch, mapped, ctes, path)
        elif isinstance(node, exp.Select):
            self.select(node, bounded, ctes, path)
        else:
            raise PruningCheckError(f"{self.query.name}: cannot judge a {type(node).__name__} query")

    def select(self, sel: exp.Select, bounded: set[str], ctes: dict, path: tuple) -> None:
        ctes = _with_ctes(sel, ctes)
        sources = self._sources(sel)
        bounds: dict[str, set[str]] = {s.alias: set() for s in sources}
        outer = self._outer_aliases(sel)

        # 1. the WHERE's own bounds
        where = sel.args.get("where")
        for col in _bounded_columns(where.this) if where is not None else []:
            alias = self._resolve(col, sources, ctes)
            if alias in bounds and alias not in outer:  # (not an outer query's column)
                bounds[alias].add(col.name.lower())
        # 2. JOIN ... ON bounds: they restrict the joined table's scan (inner or left),
        #    and on an inner join any table's
        for s in sources:
            if s.join is None or not s.join.args.get("on"):
                continue
            side = (s.join.side or "").upper()
            for col in _bounded_columns(s.join.args["on"]):
                alias = self._resolve(col, sources, ctes)
                if alias == s.alias and side in ("", "LEFT"):
                    bounds[alias].add(col.name.lower())
                elif alias in bounds and side == "" and alias not in outer:
                    bounds[alias].add(col.name.lower())
        # 3. the consumer's bounds, pushed through this SELECT where that is legal
        for name in bounded:
            target = self._origin(sel, name, sources, ctes)
            if target is None:
                continue
            alias, column = target
            if alias in bounds and alias not in outer and self._can_push(sel, alias, column, sources, ctes):
                bounds[alias].add(column)
        # 4. every source, with what reaches it
        for s in sources:
            if isinstance(s.node, exp.Table):
                self.table(s.node, bounds[s.alias], ctes, path)
            elif isinstance(s.node, exp.Subquery):
                self.query_node(s.node.this, bounds[s.alias], ctes, (*path, s.alias or "subquery"))
        # 5. subqueries elsewhere (WHERE x IN (select ...), scalar subqueries): their own scans
        for key, value in sel.args.items():
            if key in ("from_", "joins", "with_"):
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, exp.Expression):
                    for q in _nested_queries(child):
                        self.query_node(q, set(), ctes, (*path, "subquery"))
        for s in sources:
            if s.join is not None and s.join.args.get("on") is not None:
                for q in _nested_queries(s.join.args["on"]):
                    self.query_node(q, set(), ctes, (*path, "subquery"))

    def table(self, table: exp.Table, bounded: set[str], ctes: dict, path: tuple) -> None:
        name = table.name.lower()
        if not table.db and name in ctes:
            body, cte_scope = ctes[name]
            self.query_node(body, bounded, cte_scope, (*path, name))
            return
        rel = self.relations.get(_key(table))
        if rel is None:
            return
        if rel.view_sql is not None:
            self.query_node(self._view(table, rel), bounded, {}, (*path, rel.label))
            return
        if rel.partition_column and rel.partition_column.lower() not in bounded:
            self.findings.append(UnprunedScan(self.query.name, self.query.invariant_id, rel.label,
                                              rel.partition_column, path))

    # -- helpers
    def _view(self, table: exp.Table, rel: Relation) -> exp.Expression:
        key = _key(table)
        if key not in self._parsed:
            self._parsed[key] = _parse(rel.view_sql, rel.label)
        return self._parsed[key]

    @staticmethod
    def _sources(sel: exp.Select) -> list[_Source]:
        out = []
        from_ = sel.args.get("from_")
        if from_ is not None:
            out.append(_Source(from_.this.alias_or_name.lower(), from_.this))
        for join in sel.args.get("joins") or []:
            out.append(_Source(join.this.alias_or_name.lower(), join.this, join))
        return [s for s in out if isinstance(s.node, exp.Table | exp.Subquery)]

    @staticmethod
    def _outer_aliases(sel: exp.Select) -> set[str]:
        """Sources an outer join may NULL-extend: a WHERE bound on them is not pushed."""
        out: set[str] = set()
        from_ = sel.args.get("from_")
        seen = [from_.this.alias_or_name.lower()] if from_ is not None else []
        for join in sel.args.get("joins") or []:
            alias = join.this.alias_or_name.lower()
            side = (join.side or "").upper()
            if side in ("LEFT", "FULL"):
                out.add(alias)
            if side in ("RIGHT", "FULL"):
                out.update(seen)
            seen.append(alias)
        return out

    def _resolve(self, col: exp.Column, sources: list[_Source], ctes: dict) -> str | None:
        """The alias of the source a column reference reads."""
        if col.table:
            return col.table.lower()
        if len(sources) == 1:
            return sources[0].alias
        owners = [s.alias for s in sources if col.name.lower() in (self._source_columns(s, ctes) or set())]
        return owners[0] if len(owners) == 1 else None

    def _origin(self, sel: exp.Select, name: str, sources: list[_Source], ctes: dict):
        """(source alias, column) an output column is, unchanged; None if computed."""
        for proj in sel.expressions:
            if isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
                continue
            if proj.alias_or_name.lower() == name:
                inner = _unwrap(proj.this if isinstance(proj, exp.Alias) else proj)
                if isinstance(inner, exp.Column):
                    alias = self._resolve(inner, sources, ctes)
                    return (alias, inner.name.lower()) if alias else None
                return None
        for proj in sel.expressions:  # from a star
            if isinstance(proj, exp.Star):
                excluded = {c.name.lower() for c in proj.args.get("except_") or []}
                if name in excluded:
                    continue
                owners = [s.alias for s in sources if len(sources) == 1
                          or name in (self._source_columns(s, ctes) or set())]
                if len(owners) == 1:
                    return owners[0], name
            elif isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star):
                src = next((s for s in sources if s.alias == proj.table.lower()), None)
                if src is not None and name in (self._source_columns(src, ctes) or set()):
                    return src.alias, name
        return None

    def _can_push(self, sel: exp.Select, alias: str, column: str, sources, ctes) -> bool:
        if sel.args.get("limit") is not None:
            return False

        def is_it(node: exp.Expression) -> bool:
            node = _unwrap(node)
            return (isinstance(node, exp.Column) and node.name.lower() == column
                    and self._resolve(node, sources, ctes) == alias)

        group = sel.args.get("group")
        if group is not None:
            keys = []
            for g in group.expressions:
                if isinstance(g, exp.Literal) and g.is_int:  # GROUP BY 1
                    g = sel.expressions[int(g.this) - 1]
                    g = g.this if isinstance(g, exp.Alias) else g
                keys.append(g)
            if not any(is_it(k) for k in keys):
                return False
        windows = [w for proj in sel.expressions for w in proj.find_all(exp.Window)]
        if sel.args.get("qualify") is not None:
            windows += list(sel.args["qualify"].find_all(exp.Window))
        return all(any(is_it(p) for p in w.args.get("partition_by") or []) for w in windows)

    def _source_columns(self, source: _Source, ctes: dict) -> list[str] | None:
        """A FROM / JOIN source's output columns, in order; None when unknown."""
        if isinstance(source.node, exp.Subquery):
            return self._query_columns(source.node.this, ctes)
        table = source.node
        name = table.name.lower()
        if not table.db and name in ctes:
            body, scope = ctes[name]
            return self._query_columns(body, scope)
        rel = self.relations.get(_key(table))
        if rel is None:
            return None
        if rel.view_sql is not None:
            return self._query_columns(self._view(table, rel), {})
        return list(rel.columns) or None

    def _query_columns(self, node: exp.Expression, ctes: dict) -> list[str] | None:
        """A query's output columns, in order (stars expanded); None when unknown."""
        while isinstance(node, exp.Subquery | exp.SetOperation):
            node = node.left if isinstance(node, exp.SetOperation) else node.this
        if not isinstance(node, exp.Select):
            return None
        if id(node) not in self._columns:
            self._columns[id(node)] = self._select_columns(node, ctes)
        return self._columns[id(node)]

    def _select_columns(self, node: exp.Select, ctes: dict) -> list[str] | None:
        ctes = _with_ctes(node, ctes)
        sources = self._sources(node)
        out: list[str] = []
        for proj in node.expressions:
            if isinstance(proj, exp.Star):
                excluded = {c.name.lower() for c in proj.args.get("except_") or []}
                picked = sources
            elif isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star):
                excluded = set()
                picked = [s for s in sources if s.alias == proj.table.lower()]
            else:
                out.append(proj.alias_or_name.lower())
                continue
            for s in picked:
                cols = self._source_columns(s, ctes)
                if cols is None:
                    return None
                out += [c for c in cols if c not in excluded]
        return out


def _with_ctes(sel: exp.Select, ctes: dict) -> dict:
    """The CTEs visible in a SELECT: the enclosing ones plus its own WITH."""
    with_ = sel.args.get("with_")
    if with_ is None:
        return ctes
    ctes = dict(ctes)
    for cte in with_.expressions:
        ctes[cte.alias_or_name.lower()] = (cte.this, ctes)
    return ctes


def _nested_queries(node: exp.Expression) -> Iterator[exp.Expression]:
    """The outermost queries nested in an expression (subqueries in WHERE, SELECT, ...)."""
    if isinstance(node, exp.Query):
        yield node
        return
    for child in node.iter_expressions():
        yield from _nested_queries(child)


def check_queries(queries: Iterable[CheckedQuery],
                  relations: dict[tuple[str, str], Relation]) -> list[UnprunedScan]:
    findings: list[UnprunedScan] = []
    for q in queries:
        walker = _Walker(relations, q)
        walker.statement(_parse(q.sql, q.name))
        findings.extend(walker.findings)
    return findings


# ---- the project's queries, from dbt's manifest -------------------------------------------

def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def load_manifest(path: Path) -> dict:
    if not path.is_file():
        raise PruningCheckError(f"{path} not found: compile the project for BigQuery first "
                                "(`props-contracts check-pruning --target bigquery` does)")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise PruningCheckError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or not {"nodes", "sources"} <= manifest.keys():
        raise PruningCheckError(f"{path} is not a dbt manifest (no nodes / sources)")
    adapter = (manifest.get("metadata") or {}).get("adapter_type")
    if adapter != "bigquery":
        raise PruningCheckError(f"{path} was compiled for {adapter!r}, not BigQuery: "
                                "partition pruning is a BigQuery question")
    return manifest


def relations_from_manifest(manifest: dict) -> dict[tuple[str, str], Relation]:
    """Every source, model and seed the SQL may name: views to read through,
    tables partitioned on a column (sources: meta.partition_column; models:
    partition_by)."""
    rels: dict[tuple[str, str], Relation] = {}
    for uid, src in manifest["sources"].items():
        column = _meta(src).get("partition_column")
        rels[_relation_key(src["relation_name"])] = Relation(
            f"source {src['source_name']}.{src['name']}", column,
            columns=tuple(c.lower() for c in src.get("columns") or {}))
        _check_date_column(uid, column, src.get("columns") or {})
    for uid, node in manifest["nodes"].items():
        config = node.get("config") or {}
        if node["resource_type"] not in ("model", "seed", "snapshot") or not config.get("enabled", True):
            continue
        if config.get("materialized") == "ephemeral" or not node.get("relation_name"):
            continue  # dbt inlines an ephemeral model as a CTE
        label = f"{node['resource_type']} {node['name']}"
        if config.get("materialized") == "view":
            rels[_relation_key(node["relation_name"])] = Relation(label, view_sql=_compiled(uid, node))
            continue
        partition = config.get("partition_by") or {}
        if partition and str(partition.get("data_type", "date")).lower() != "date":
            raise PruningCheckError(f"{uid}: partition_by {partition} is not a DATE column; "
                                    "this check knows DATE partitions only")
        rels[_relation_key(node["relation_name"])] = Relation(
            label, partition.get("field"), columns=tuple(c.lower() for c in node.get("columns") or {}))
    return rels


def _check_date_column(uid: str, column: str | None, columns: dict) -> None:
    if column is None:
        return
    declared = columns.get(column) or {}
    if str(declared.get("data_type", "")).lower() != "date":
        raise PruningCheckError(f"{uid}: partition column {column!r} must be declared with "
                                f"data_type DATE (found {declared.get('data_type')!r})")


def _compiled(uid: str, node: dict) -> str:
    sql = node.get("compiled_code")
    if not sql:
        raise PruningCheckError(f"{uid} has no compiled SQL in the manifest: "
                                "run `dbt compile` (or build) for BigQuery on the whole project first")
    return sql


def queries_from_manifest(manifest: dict) -> list[CheckedQuery]:
    """What a scheduled `dbt build` and `dbt source freshness` run on BigQuery:
    every test, every table / incremental / snapshot build query, the MERGE's
    scan of each incremental target, and each source freshness query."""
    out: list[CheckedQuery] = []
    for uid, node in sorted(manifest["nodes"].items()):
        config = node.get("config") or {}
        kind = node["resource_type"]
        if not config.get("enabled", True):
            continue
        if kind == "test" or (kind == "snapshot") or (
                kind == "model" and config.get("materialized") in ("table", "incremental")):
            out.append(CheckedQuery(uid, _compiled(uid, node), str(_meta(node).get("invariant_id") or ""),
                                    kind if kind != "model" else f"{config['materialized']} model"))
        if kind == "model" and config.get("materialized") == "incremental":
            out.append(_merge_target_scan(uid, node))
    for uid, src in sorted(manifest["sources"].items()):
        loaded_at = src.get("loaded_at_field")
        freshness = src.get("freshness") or {}
        if not loaded_at or not any((freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after")):
            continue
        where = f" where {freshness['filter']}" if freshness.get("filter") else ""
        # dbt's default__collect_freshness, which dbt-bigquery uses as is
        out.append(CheckedQuery(f"{uid} (source freshness)",
                                f"select max({loaded_at}) from {src['relation_name']}{where}",
                                kind="source freshness"))
    return out


def _merge_target_scan(uid: str, node: dict) -> CheckedQuery:
    """The incremental MERGE reads its target through the ON clause, where dbt puts
    `incremental_predicates` (aliased DBT_INTERNAL_DEST): this is that read."""
    predicates = (node.get("config") or {}).get("incremental_predicates") or []
    where = (" where " + " and ".join(f"({p})" for p in predicates)) if predicates else ""
    return CheckedQuery(f"{uid} (MERGE target)",
                        f"select 1 from {node['relation_name']} as DBT_INTERNAL_DEST{where}", kind="MERGE target")


def check_manifest(path: Path) -> PruningReport:
    manifest = load_manifest(path)
    relations = relations_from_manifest(manifest)
    queries = queries_from_manifest(manifest)
    return PruningReport(
        checked=queries,
        partitioned=sorted(f"{r.label} ({r.partition_column})" for r in relations.values() if r.partition_column),
        findings=check_queries(queries, relations),
    )
