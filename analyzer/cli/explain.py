"""``fundscout explain NAME``: why a project ranks where it does.

It reads a JSON report (``--report``, default ``reports/fundscout-report.json``) — the report
carries every factor input, signal source, declaring file and graph path — or, given PATHs,
audits them first. NAME matches a project's name, key or repository, or one of its packages
(purl or name), case-insensitively. Everything printed came from crawled files or public
APIs, so it is printed as plain text, never as markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

import typer
from rich.console import Console

from analyzer import pipeline
from analyzer.cli import app
from analyzer.cli import network as net
from analyzer.cli.common import ConfigOpt, ExitCode, check_paths, fail, make_config
from analyzer.errors import BaselineError, SourceError
from analyzer.report import json_report
from analyzer.watch.views import load_report

DEFAULT_REPORT = Path("reports") / "fundscout-report.json"
MAX_TEXT = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _t(value: Any, limit: int = MAX_TEXT) -> str:
    """Printable text: control characters (terminal escapes) removed, whitespace folded."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    flat = " ".join(_CONTROL.sub("", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def names_of(entry: Mapping[str, Any]) -> set[str]:
    """Everything NAME may be: name, key, repository, purls and the packages' own names."""
    names = {_t(entry.get(k)).lower() for k in ("name", "key", "repository")}
    for purl in _list(entry.get("packages")):
        text = _t(purl).lower()
        path = text.split("/", 1)[-1].split("@")[0] if text.startswith("pkg:") else text
        names.update({text, unquote(path), unquote(path).rsplit("/", 1)[-1]})
    names.discard("")
    return names


def find(data: Mapping[str, Any], name: str) -> tuple[Mapping[str, Any], bool]:
    """(the matching entry, whether it was ranked); a usage error lists close names."""
    wanted = name.strip().lower()
    ranked = [_map(p) for p in _list(data.get("projects"))]
    excluded = [_map(e) for e in _list(data.get("excluded"))]
    for entries, is_ranked in ((ranked, True), (excluded, False)):
        exact = [e for e in entries if _t(e.get("name")).lower() == wanted]
        if exact:
            return exact[0], is_ranked
    matches = [
        (e, r)
        for entries, r in ((ranked, True), (excluded, False))
        for e in entries
        if wanted in names_of(e)
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(_t(e.get("name")) for e, _ in matches[:10])
        fail(f"{name}: several projects match ({listed}); give the full name", ExitCode.USAGE)
    known = sorted({n for e in ranked + excluded for n in names_of(e)})
    close = difflib.get_close_matches(wanted, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    fail(f"{name}: no such project or package in the report{hint}", ExitCode.USAGE)
    return {}, False  # not reached: fail() exits


def factor_lines(entry: Mapping[str, Any], model: Mapping[str, Any]) -> list[str]:
    wc, wn = model.get("criticality_weight"), model.get("need_weight")
    lines = [
        f"Factors (priority = 100 x reliance x (1 + {wc} x criticality + {wn} x need)"
        f" / (1 + {wc} + {wn})):"
    ]
    for name, factor in _map(entry.get("factors")).items():
        factor = _map(factor)
        lines.append(f"  {_t(name):<12} {_t(factor.get('value'))}")
        for input_name, item in _map(factor.get("inputs")).items():
            item = _map(item)
            value = "unknown" if item.get("value") is None else _t(item.get("value"))
            source = f", from {_t(item.get('source'))}" if item.get("source") else ""
            lines.append(
                f"      {_t(input_name)}: {value} → score {_t(item.get('score'))} "
                f"(weight {_t(item.get('weight'))}{source})"
            )
    return lines


def usage_lines(entry: Mapping[str, Any]) -> list[str]:
    lines = ["Used by:"]
    for use in _list(entry.get("used_by"))[:500]:
        use = _map(use)
        how = "direct" if use.get("direct") else f"transitive, depth {_t(use.get('depth'))}"
        lines.append(f"  {_t(use.get('repository'))}: {_t(use.get('scope'))}, {how}")
        files = ", ".join(_t(f) for f in _list(use.get("files"))[:20])
        if files:
            lines.append(f"      declared in {files}")
        path = [_t(step) for step in _list(use.get("path"))[:30]]
        if len(path) > 1:
            lines.append(f"      path: {' → '.join(path)}")
    return lines


def describe(entry: Mapping[str, Any], ranked: bool, data: Mapping[str, Any]) -> list[str]:
    name = _t(entry.get("name"))
    if not ranked:
        return [
            f"{name}: excluded from the ranking: {_t(entry.get('reason'))}",
            f"  packages: {', '.join(_t(p) for p in _list(entry.get('packages')))}",
        ]
    total = len(_list(data.get("projects")))
    eligibility = _map(entry.get("eligibility"))
    confidence = entry.get("confidence")
    shown = f"{confidence:.0%}" if isinstance(confidence, int | float) else "unknown"
    lines = [
        f"{name}: rank {_t(entry.get('rank'))} of {total}, priority {_t(entry.get('priority'))}, "
        f"confidence {shown}",
        f"  project: {_t(entry.get('repository') or entry.get('key'))}",
        f"  packages: {', '.join(_t(p) for p in _list(entry.get('packages'))[:50])}",
        f"  status: {_t(eligibility.get('status'))}"
        + "".join(f"; {_t(r)}" for r in _list(eligibility.get("reasons"))),
        "",
        "Why: " + "; ".join(_t(r) for r in _list(entry.get("reasons"))),
        "",
        *factor_lines(entry, _map(data.get("model"))),
    ]
    if missing := _list(entry.get("missing")):
        lines.append(
            f"Missing (lowers confidence, never raises a score): "
            f"{', '.join(_t(m) for m in missing)}"
        )
    lines += ["", "Signals:"]
    for signal, record in _map(entry.get("signals")).items():
        record = _map(record)
        lines.append(
            f"  {_t(signal)}: {_t(record.get('value'), 120)} "
            f"({_t(record.get('source'))}, {_t(record.get('fetched_at'))})"
        )
    if len(lines) and lines[-1] == "Signals:":
        lines.append("  none (lookups were off or found nothing)")
    funding = [
        f"{_t(_map(f).get('platform'))} {_t(_map(f).get('url'))}"
        for f in _list(entry.get("funding"))
    ]
    lines += ["", "Funding: " + ("; ".join(funding) if funding else "none known")]
    return [*lines, "", *usage_lines(entry)]


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="A project or package name, key or purl.")],
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Audit these instead of reading a report.", show_default=False),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help=f"JSON report (default {DEFAULT_REPORT}).")
    ] = None,
    config_path: ConfigOpt = None,
    no_enrich: net.NoEnrichOpt = False,
    offline: net.OfflineOpt = False,
) -> None:
    """Explain why a project ranks where it does: factors, signals, users and paths."""
    if paths and report:
        fail("give either PATHs to audit or --report, not both", ExitCode.USAGE)
    if paths:
        roots = check_paths(paths)
        config = make_config(config_path, None, None)
        config = net.network_config(
            config,
            no_enrich=no_enrich,
            offline=offline,
            cache_dir=None,
            max_wait=None,
            token_env=None,
            providers=None,
        )
        enricher = net.ConfiguredEnricher(config, {}) if config.enrich else None
        try:
            audited = pipeline.audit(roots, config, enricher=enricher, find_paths=True)
            data = json_report.to_data(audited)
        except SourceError as exc:
            fail(str(exc), ExitCode.USAGE)
    else:
        try:
            data = load_report(report or DEFAULT_REPORT)
        except BaselineError as exc:
            fail(f"{exc} (run fundscout audit first, or give PATHs)", ExitCode.USAGE)
        if data.get("schema_version") != json_report.SCHEMA_VERSION:
            fail(
                f"{report or DEFAULT_REPORT}: schema {data.get('schema_version')!r} has no "
                "factors; rerun fundscout audit",
                ExitCode.USAGE,
            )
    entry, ranked = find(data, name)
    console = Console(highlight=False, markup=False, soft_wrap=True)
    for line in describe(entry, ranked, data):
        console.print(line)
