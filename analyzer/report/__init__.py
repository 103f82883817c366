"""Report formats: each renders an AuditResult to text and never writes files itself."""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from analyzer.report import json_report, markdown

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult


class ReportFormat(StrEnum):
    MARKDOWN = "md"
    JSON = "json"

    @property
    def filename(self) -> str:
        return f"fundscout-report.{self.value}"


def render(result: AuditResult, fmt: ReportFormat) -> str:
    if fmt is ReportFormat.MARKDOWN:
        return markdown.render(result)
    if fmt is ReportFormat.JSON:
        return json_report.render(result)
    assert_never(fmt)


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so no reader sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(result: AuditResult, out: Path, formats: tuple[ReportFormat, ...]) -> list[Path]:
    written = []
    for fmt in formats:
        path = out / fmt.filename
        write_atomic(path, render(result, fmt))
        written.append(path)
    return written


__all__ = ["ReportFormat", "render", "write_atomic", "write_reports"]
