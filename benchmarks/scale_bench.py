"""Organization-scale benchmark: the offline audit of 100 to 3,000 synthetic repositories.

    python -m benchmarks.scale_bench --repos 100,1000,3000 [--seed 1] [--work DIR] [--enrich]

For each size it writes a synthetic organization (``benchmarks.synth``, kept in ``--work`` and
reused), runs the floor (``benchmarks.floor``: read and stdlib-parse every manifest) and then
the audit stage by stage, each size in a fresh subprocess so that peak memory is its own:
collect (walk, parse, merge), graph, projects, score and every report format; then, lookups
off, the command itself (``fundscout audit``, every format) for its wall time; both parse every
manifest afresh (``--no-parse-cache``). Then the command fills a parse cache, and the stages
and the command run again reading it (the rerun of an unchanged organization). Lookups are off
(``--no-enrich``) unless ``--enrich`` is given: then the audit enriches every package from a
warm cache, offline (``benchmarks.scale_enrich``). Prints one table per size and how time and
memory grow with size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.enrich_bench import forget_runs

TARGET_RATIO, TARGET_PEAK_MB = 3.0, 1536


def _children_cpu() -> float:
    """CPU seconds of the child processes ended and waited for so far (the parsing worker,
    the forked copies of analyzer.forked)."""
    times = os.times()
    return times.children_user + times.children_system


def _timed(stages: list[dict[str, Any]], name: str, work: Callable[[], Any]) -> Any:
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    value = work()
    stages.append({"stage": name, "wall": time.perf_counter() - wall,
                   "cpu": time.process_time() - cpu,
                   "children_cpu": _children_cpu() - children})  # fmt: skip
    return value


def stages(
    root: Path, out: Path, cache: Path | None = None, parsed: Path | None = None
) -> dict[str, Any]:
    """Run the audit stage by stage in this process; times, counts and peak memory.

    With ``cache`` (filled by ``benchmarks.scale_enrich``) enrichment is a stage too, answered
    offline from that cache. Manifests are parsed afresh unless ``parsed`` is a folder for
    the parse cache."""
    from analyzer import pipeline
    from analyzer.config import Config
    from analyzer.projects import rollup
    from analyzer.report import ReportFormat, json_report, write_reports
    from analyzer.score.priority import score

    config = Config(enrich=False, parse_cache=parsed is not None,
                    cache_dir=str(parsed) if parsed else None)  # fmt: skip
    done: list[dict[str, Any]] = []
    collection = _timed(done, "collect", lambda: pipeline.collect([root], config))
    graph = _timed(done, "graph", lambda: pipeline.build_graph(collection))
    enrichment = None
    if cache is not None:
        from benchmarks.scale_enrich import enricher

        enrichment = _timed(done, "enrich", lambda: enricher(cache)(graph))
    projects = _timed(done, "projects", lambda: rollup(graph, enrichment, config, set()))
    when = pipeline.generated_at()
    ranking = _timed(done, "score", lambda: score(graph, projects.projects, enrichment, config,
                                                  date.fromisoformat(when[:10])))  # fmt: skip
    result = pipeline.AuditResult(collection, graph, ranking, when, projects=projects,
                                  enrichment=enrichment)  # fmt: skip
    document = _timed(done, "report data", lambda: json_report.to_data(result))
    # as the CLI does: one document for json, html and csv; the JSON report by a child process
    _timed(done, "reports", lambda: write_reports(result, out, tuple(ReportFormat), document))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a forked copy's resident size counts the pages it shares with this process
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    calls = sum(s.requests for s in enrichment.sources.values()) if enrichment else 0
    cached = sum(s.from_cache for s in enrichment.sources.values()) if enrichment else 0
    return {"stages": done, "peak_mb": peak, "children_peak_mb": children_peak,
            "calls": calls, "from_cache": cached,
            "manifests": len(collection.manifests),
            "records": len(collection.dependencies), "packages": len(graph.packages()),
            "edges": graph.nx.number_of_edges(), "projects": len(ranking.projects),
            "problems": len(collection.problems)}  # fmt: skip


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(repos: int, seed: int, work: Path, enrich_port: int = 0) -> dict[str, Any]:
    """Floor and audit of one size; with ``enrich_port`` the audit enriches from a warm cache
    (filled first, against fakes on that port, when the size has none yet)."""
    org = work / f"org-{repos}-{seed}"
    if not org.exists():
        subprocess.run([sys.executable, "-m", "benchmarks.synth", "--repos", str(repos),
                        "--seed", str(seed), "--out", str(org)], check=True)  # fmt: skip
    cache, fill = work / f"cache-{repos}-{seed}", None
    if enrich_port and not (cache / "endpoints.json").exists():
        fill = _child("benchmarks.scale_enrich", str(org), str(cache), str(enrich_port))
    # the best of three: the first run also brings the files into the page cache
    floor = min((_child("benchmarks.floor", str(org)) for _ in range(3)), key=lambda f: f["wall"])
    if not enrich_port:
        audit = _audit(org, work, None)
        out = str(work / f"out-{org.name}")
        audit["command"] = _child("benchmarks.scale_bench", "--command", str(org), out)
        parsed = work / f"parsed-{org.name}"  # the parse cache: filled, then read
        shutil.rmtree(parsed, ignore_errors=True)
        filling = _child(
            "benchmarks.scale_bench", "--command", str(org), out, "--parsed", str(parsed)
        )
        warm = _audit(org, work, None, parsed)
        warm["command"] = _child("benchmarks.scale_bench", "--command", str(org), out,
                                 "--parsed", str(parsed))  # fmt: skip
        warm["filling"] = filling
        return {"repos": repos, "floor": floor, "audit": audit, "fill": fill, "parsed": warm}
    forget_runs(cache)  # the first rerun reads every cached answer; it remembers the run
    audit = _audit(org, work, cache)
    rerun = _audit(org, work, cache)  # which the second rerun finds
    return {"repos": repos, "floor": floor, "audit": audit, "rerun": rerun, "fill": fill}


def _audit(org: Path, work: Path, cache: Path | None, parsed: Path | None = None) -> dict[str, Any]:
    wall = time.perf_counter()
    extra: tuple[str, ...] = ("--cache", str(cache)) if cache else ()
    extra += ("--parsed", str(parsed)) if parsed else ()
    audit = _child("benchmarks.scale_bench", "--stages", str(org), str(work / f"out-{org.name}"),
                   *extra)  # fmt: skip
    audit["process_wall"] = time.perf_counter() - wall  # interpreter start and imports included
    return audit


def command(org: Path, out: Path, parsed: Path | None = None) -> dict[str, Any]:
    """``fundscout audit`` as a user runs it (lookups off, every format): wall time and the
    command's peak memory, measured from this process, which runs nothing else. Manifests
    are parsed afresh unless ``parsed`` is a folder for the parse cache."""
    wall = time.perf_counter()
    cached = ("--cache-dir", str(parsed)) if parsed else ("--no-parse-cache",)
    subprocess.run([sys.executable, "-m", "analyzer", "audit", str(org), "--no-enrich", "--quiet",
                    "--format", "md,json,html,csv", "--out", str(out), *cached],
                   check=True)  # fmt: skip
    return {"wall": time.perf_counter() - wall,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}  # fmt: skip


def print_size(row: dict[str, Any]) -> None:
    print_audit(row, row["audit"], "")
    if "parsed" in row:
        filling = row["parsed"]["filling"]["wall"]
        print(f"\n(the command once more, filling the parse cache: {filling:.2f} s, "
              f"{filling / row['floor']['wall']:.1f}x the floor)")  # fmt: skip
        print_audit(row, row["parsed"], "the parse cache filled: ")
    if "rerun" in row:
        print_audit(row, row["rerun"], "once more (the enrichment run remembered): ")


def print_audit(row: dict[str, Any], audit: dict[str, Any], label: str) -> None:
    floor = row["floor"]
    print(f"\n{label}{row['repos']} repositories: {audit['manifests']} manifests, "
          f"{audit['records']} dependency records, {audit['packages']} packages, "
          f"{audit['edges']} graph edges, "
          f"{audit['projects']} projects, {audit['problems']} problems")  # fmt: skip
    if audit["calls"]:
        print(f"enrichment from the warm cache: {audit['calls']} calls, "
              f"{audit['from_cache'] / audit['calls']:.1%} answered by the cache")  # fmt: skip
    if row.get("fill"):
        print(f"(cache filled first: {row['fill']['calls']} calls online in "
              f"{row['fill']['wall']:.0f} s, not part of the figures below)")  # fmt: skip
    print(f"{'stage':<14}{'wall s':>9}{'cpu s':>9}{'others cpu s':>14}")
    for stage in audit["stages"]:
        print(f"{stage['stage']:<14}{stage['wall']:>9.2f}{stage['cpu']:>9.2f}"
              f"{stage.get('children_cpu', 0.0):>14.2f}")  # fmt: skip
    total = sum(s["wall"] for s in audit["stages"])
    print(f"{'total':<14}{total:>9.2f}{sum(s['cpu'] for s in audit['stages']):>9.2f}"
          f"{sum(s.get('children_cpu', 0.0) for s in audit['stages']):>14.2f}")  # fmt: skip
    print("(others: the parsing worker and the forked copies, counted when they end)")
    ratio = audit["process_wall"] / floor["wall"]
    print(f"whole process {audit['process_wall']:.2f} s vs floor {floor['wall']:.2f} s "
          f"({floor['files']} files): {ratio:.1f}x (target <= {TARGET_RATIO}x); "
          f"peak {audit['peak_mb']:.0f} MB (target < {TARGET_PEAK_MB} MB)")  # fmt: skip
    if audit.get("children_peak_mb"):
        print(f"largest other process: {audit['children_peak_mb']:.0f} MB resident, "
              "pages shared with the audit included")  # fmt: skip
    if "command" in audit:
        run = audit["command"]
        print(
            f"the command (fundscout audit --no-enrich, every format): {run['wall']:.2f} s, "
            f"{run['wall'] / floor['wall']:.1f}x the floor; peak {run['peak_mb']:.0f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", default="100,1000")
    parser.add_argument("--seed", type=int, default=1)
    work = Path(tempfile.gettempdir()) / "fundscout-scale"
    parser.add_argument("--work", type=Path, default=work)
    parser.add_argument(
        "--enrich",
        action="store_true",
        help="enrich from a warm cache (filled once per size against the fakes)",
    )
    parser.add_argument("--port", type=int, default=47000, help="first port of the fakes")
    parser.add_argument("--stages", nargs=2, metavar=("ORG", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--command", nargs=2, metavar=("ORG", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--parsed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command:
        print(json.dumps(command(Path(args.command[0]), Path(args.command[1]), args.parsed)))
        return 0
    if args.stages:
        out = Path(args.stages[1])
        print(json.dumps(stages(Path(args.stages[0]), out, args.cache, args.parsed)))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(n) for n in args.repos.split(",")]
    rows = [measure(n, args.seed, args.work, args.port + 10 * i if args.enrich else 0)
            for i, n in enumerate(sizes)]  # fmt: skip
    for row in rows:
        print_size(row)
    if len(rows) > 1:
        print("\ngrowth (relative to the smallest size):")
        base = rows[0]
        for row in rows[1:]:
            size = row["repos"] / base["repos"]
            time_growth = row["audit"]["process_wall"] / base["audit"]["process_wall"]
            memory = row["audit"]["peak_mb"] / base["audit"]["peak_mb"]
            print(f"  {size:.0f}x repositories: {time_growth:.1f}x time, {memory:.1f}x peak memory")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
