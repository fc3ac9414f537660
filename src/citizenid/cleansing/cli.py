"""``citizenid cleanse …``: ingest legacy sources, link, review, merge, un-merge, report.  Thin commands."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from citizenid.cleansing.decide import Thresholds
from citizenid.cleansing.errors import BatchRejected, LinkageFailed
from citizenid.cleansing.link import ENGINES, Engine, LinkageParameters
from citizenid.clictx import container, operator

app = typer.Typer(help="Clean the legacy population records: ingest, link, review, merge, measure.",
                  no_args_is_help=True)
review_app = typer.Typer(help="The supervisors' queue of possible duplicates.", no_args_is_help=True)
app.add_typer(review_app, name="review")
console = Console()


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _mapping(path: Path, source: str) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchRejected(f"{path}: not a readable JSON mapping ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get(source), dict):
        data = data[source].get("columns", data[source])
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise BatchRejected(f"{path}: a mapping is an object of source column to canonical column")
    return data


@app.command("ingest")
def ingest(
    file: Path,
    source: Annotated[str, typer.Option(help="the legacy system or locality the file comes from")],
    mapping: Annotated[Path, typer.Option(help="JSON: {source column: canonical column} (or mapping.json)")],
) -> None:
    """Stage one CSV or Parquet file, whole or not at all."""
    report = container().cleansing.ingest(operator(), source, file, _mapping(mapping, source))
    typer.echo(f"staged {report.rows} records of '{report.source}' from {report.file_name} "
               f"(batch {report.batch_id}): {report.clean} clean")


@app.command("ingest-dir")
def ingest_dir(directory: Path) -> None:
    """Stage every source listed in a directory's mapping.json (what ``citizenid synth legacy`` writes)."""
    index = directory / "mapping.json"
    try:
        sources = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BatchRejected(f"{index}: not a readable mapping.json ({exc})") from None
    for source, spec in sorted(sources.items()):
        report = container().cleansing.ingest(operator(), source, directory / spec["file"], spec["columns"])
        typer.echo(f"staged {report.rows} records of '{source}' (batch {report.batch_id}): {report.clean} clean")


@app.command("link")
def link(
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark")] = "duckdb",
    upper: Annotated[float, typer.Option(help="match weight above which pairs merge automatically")] = 10.0,
    lower: Annotated[float, typer.Option(help="match weight below which pairs stay apart")] = 4.0,
    merge: Annotated[bool, typer.Option("--merge/--no-merge", help="apply the automatic merges")] = True,
) -> None:
    """Link every staged record (Splink), store the run, apply the automatic merges."""
    if engine not in ENGINES:
        raise LinkageFailed(f"no linkage engine '{engine}': choose one of {', '.join(ENGINES)}")
    try:
        thresholds = Thresholds(upper=upper, lower=lower)
    except ValueError as exc:
        raise LinkageFailed(str(exc)) from None
    chosen: Engine = "spark" if engine == "spark" else "duckdb"
    run = container().cleansing.link(operator(), engine=chosen, parameters=LinkageParameters(thresholds=thresholds),
                                     merge=merge)
    typer.echo(f"run {run.run_id} ({run.engine}) {run.status}: {json.dumps(run.results, ensure_ascii=False)}")


@app.command("merge")
def merge(run_id: str) -> None:
    """Apply a run's automatic merges and accepted reviews (resumes an interrupted merge)."""
    report = container().cleansing.merge(operator(), run_id)
    typer.echo(json.dumps(asdict(report), ensure_ascii=False))


@app.command("rollback")
def rollback(run_id: str) -> None:
    """Undo every merge of a run."""
    undone = container().cleansing.rollback(operator(), run_id)
    typer.echo(f"run {run_id}: {undone} merges undone")


@app.command("unmerge")
def unmerge(merge_id: str, reason: Annotated[str, typer.Option(help="why the records are not one person")]) -> None:
    """Restore the state before one merge."""
    view = container().cleansing.unmerge(operator(), merge_id, reason=reason)
    typer.echo(f"merge {view.merge_id} undone ({view.personal_number}, {len(view.records)} records)")


@app.command("runs")
def runs(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every linkage run: input hash, engine, status, results."""
    found = container().cleansing.runs(operator())
    if as_json:
        _echo_json([asdict(r) for r in found])
        return
    for r in found:
        typer.echo(f"{r.run_id}  {r.engine:6}  {r.status:11}  {r.input_hash[:12]}  {json.dumps(r.results)}")


@review_app.command("list")
def review_list(
    run_id: Annotated[str | None, typer.Option("--run")] = None,
    limit: int = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Pending pairs, strongest first, with both records and the evidence."""
    items = container().cleansing.reviews(operator(), run_id=run_id, limit=limit)
    if as_json:
        _echo_json([asdict(i) for i in items])
        return
    for item in items:
        table = Table(title=f"run {item.run_id} pair {item.pair_no}: weight {item.match_weight:.1f} "
                            f"{','.join(item.guards)}")
        table.add_column("field")
        table.add_column(item.left["id"])
        table.add_column(item.right["id"])
        table.add_column("evidence")
        for key in ("fam", "mid", "giv", "dob", "sex", "commune", "detail", "number"):
            ev = item.evidence.get({"commune": "address"}.get(key, key), {})
            table.add_row(key, str(item.left.get("keys", {}).get(key)), str(item.right.get("keys", {}).get(key)),
                          "" if not ev else f"level {ev.get('level')}, weight {ev.get('weight')}")
        console.print(table)


@review_app.command("decide")
def review_decide(
    run_id: str,
    pair_no: int,
    same: Annotated[bool, typer.Option("--same/--different", help="one person, or two")],
    note: str | None = None,
) -> None:
    """Answer one pair of the queue."""
    item = container().cleansing.decide(operator(), run_id, pair_no, same_person=same, note=note)
    typer.echo(f"pair {item.pair_no} of run {item.run_id}: {item.review_status}")


@app.command("report")
def report(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Share of clean records per province and per source; duplicates, merges, reviews pending."""
    found = container().cleansing.report(operator()).as_dict()
    if as_json:
        _echo_json(found)
        return
    typer.echo(f"{found['clean']} of {found['records']} records clean ({found['share']:.2%}); "
               f"duplicates found {found['duplicates_found']}, merges {found['merges']}, "
               f"reviews pending {found['reviews_pending']}")
    for title, key in (("province", "by_province"), ("source", "by_source")):
        table = Table(title=f"by {title}")
        for column in (title, "records", "clean", "share"):
            table.add_column(column)
        for name, group in found[key].items():
            table.add_row(name, str(group["records"]), str(group["clean"]), f"{group['share']:.2%}")
        console.print(table)
