"""Report formats: each renders an AuditResult to text and never writes files itself."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from analyzer.forked import Forked
from analyzer.gc_pause import paused_gc
from analyzer.report import csv_report, html, json_report, markdown, reader
from analyzer.report.json_stream import write_json
from analyzer.report.view import Document

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
    # A large JSON report (200 MB at 1,000 repositories) is written meanwhile by a copy of
    # this process (analyzer.forked), piece by piece: never 200 MB of bytes at once. So is
    # the CSV, by another, once the document is read for it and the HTML.
    alongside = _alongside(result, formats, document)
    with ExitStack() as copies:
        writers: dict[ReportFormat, Forked[None]] = {}
        for fmt in formats:
            if fmt in _FORKED and alongside is None and document is not None:
                if fmt is ReportFormat.CSV and isinstance(document, Document):
                    reader.read(document)  # read once, for the copy and the HTML to share
                work = partial(_write, result, out, fmt, document)
                writers[fmt] = copies.enter_context(Forked(work, fork=alongside))
        for fmt in formats:
            if fmt in writers and writers[fmt].forked:
                continue  # its copy writes it
            if fmt in writers:
                writers[fmt].result()  # written here, in its turn
            else:
                _write(result, out, fmt, document)
        for writer in writers.values():
            writer.result()  # a copy's, or written here if the copy failed
    return [out / fmt.filename for fmt in formats]


_FORKED = (ReportFormat.JSON, ReportFormat.CSV)  # formats a copy writes, when copies pay


def _alongside(
    result: AuditResult, formats: tuple[ReportFormat, ...], document: dict[str, Any] | None
) -> bool | None:
    """None (fork if possible) when a large report has other formats to write meanwhile."""
    wanted = document is not None and len(formats) > 1 and any(f in _FORKED for f in formats)
    return None if wanted and json_report.many_uses(result.ranking.projects) else False


def _write(
    result: AuditResult, out: Path, fmt: ReportFormat, document: dict[str, Any] | None
) -> None:
    path = out / fmt.filename
    if fmt is ReportFormat.JSON and document is not None:
        write_json(path, document)
    else:
        write_atomic(path, render(result, fmt, document))


__all__ = ["ReportFormat", "needs_document", "render", "write_atomic", "write_reports"]
