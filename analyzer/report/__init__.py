"""Report formats: each renders an AuditResult to text and never writes files itself."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from analyzer.forked import Forked
from analyzer.gc_pause import paused_gc
from analyzer.report import csv_report, html, json_report, markdown
from analyzer.report.json_stream import write_json

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult


class ReportFormat(StrEnum):
    MARKDOWN = "md"
    JSON = "json"
    HTML = "html"
    CSV = "csv"

    @property
    def filename(self) -> str:
        return f"fundscout-report.{self.value}"


def render(result: AuditResult, fmt: ReportFormat, document: dict[str, Any] | None = None) -> str:
    """One format; ``document`` is ``json_report.to_data(result)`` when already built."""
    if fmt is ReportFormat.MARKDOWN:
        return markdown.render(result, counts=None if document is None else document["summary"])
    data = json_report.to_data(result) if document is None else document
    if fmt is ReportFormat.JSON:
        return json_report.render_document(data)
    if fmt is ReportFormat.HTML:
        return html.render_document(data)
    if fmt is ReportFormat.CSV:
        return csv_report.render_document(data)
    assert_never(fmt)


def write_atomic(path: Path, text: str | bytes | Iterable[bytes]) -> None:
    """Write through a temporary file and rename, so no reader sees half a report; ``text``
    is written as UTF-8, bytes as they are, and pieces of bytes one after the other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if isinstance(text, str):
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        else:
            with os.fdopen(handle, "wb", buffering=1 << 20) as binary:
                if isinstance(text, bytes):
                    binary.write(text)
                else:
                    for piece in text:
                        binary.write(piece)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide reports from CI artifact readers
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def needs_document(formats: tuple[ReportFormat, ...]) -> bool:
    """True when a format renders ``json_report.to_data``: JSON, HTML and CSV do."""
    return any(fmt is not ReportFormat.MARKDOWN for fmt in formats)


@paused_gc(lasting=True)  # short-lived objects, and views of the document kept with it
def write_reports(
    result: AuditResult,
    out: Path,
    formats: tuple[ReportFormat, ...],
    document: dict[str, Any] | None = None,
) -> list[Path]:
    """Write each format; ``document`` is ``json_report.to_data(result)`` when already built
    (building it is the costly part, so it is built once for every format that needs it).

    Without the collector: at 1,000 repositories with enrichment, one full collection while
    the reports were rendered scanned the whole audit and took 3.6 s, and found nothing."""
    if document is None and needs_document(formats):
        document = json_report.to_data(result)
    written = []
    json_path = out / ReportFormat.JSON.filename
    # A large JSON report (200 MB at 1,000 repositories), with other formats to write, is
    # written meanwhile by a copy of this process (analyzer.forked), piece by piece: never
    # 200 MB of bytes at once.
    wanted = ReportFormat.JSON in formats and document is not None and len(formats) > 1
    alongside = None if wanted and json_report.many_uses(result.ranking.projects) else False
    with Forked(partial(write_json, json_path, document or {}), fork=alongside) as json_copy:
        for fmt in formats:
            path = out / fmt.filename
            if fmt is not ReportFormat.JSON or document is None:
                write_atomic(path, render(result, fmt, document))
            elif not json_copy.forked:
                json_copy.result()  # written here, in its turn
            written.append(path)
        if json_copy.forked:
            json_copy.result()  # the copy's, or written here if the copy failed
    return written


__all__ = ["ReportFormat", "needs_document", "render", "write_atomic", "write_reports"]
