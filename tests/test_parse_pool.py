"""Parsing in worker processes gives exactly what parsing in this process gives."""

from __future__ import annotations

import dataclasses
import multiprocessing
import pickle
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from analyzer import parse_pool, pipeline
from analyzer.config import Config
from analyzer.manifests import is_manifest
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.parse_pool import Parsed, parse_files
from analyzer.sources import LocalSource
from benchmarks.synth.__main__ import generate

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("org")
    generate(root, 20, 3)
    return root


def _files(root: Path) -> list[ManifestFile]:
    return LocalSource(root, is_manifest).scan().manifests


def _records(parsed: Parsed) -> list[object]:
    """Everything of a result, also what equality leaves out (extras, readers' trees)."""
    merged, locks = parsed
    return [
        [(r, [d.extras for d in r.dependencies], r.file.reader) for r in merged],
        [(lock.repo, lock.directory, sorted(lock.packages)) for lock in locks],
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_pool, "CHUNK_BYTES", 4096)  # many chunks from a small tree


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files of each chunk handed to a worker."""
    sizes: list[int] = []
    start = parse_pool._pool

    def pool(workers: int) -> ProcessPoolExecutor:
        executor = start(workers)
        submit = executor.submit
        monkeypatch.setattr(
            executor, "submit", lambda work, files: sizes.append(len(files)) or submit(work, files)
        )
        return executor

    monkeypatch.setattr(parse_pool, "_pool", pool)
    return sizes


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("tree", ["synthetic", "fixtures"])
def test_workers_parse_as_this_process_does(
    tree: str, synthetic: Path, submitted: list[int]
) -> None:
    files = _files(synthetic if tree == "synthetic" else FIXTURES)
    here = parse_files(files, min_pool_bytes=1 << 60)
    ticks: list[tuple[int, int]] = []
    pooled = parse_files(files, (), lambda *tick: ticks.append(tick), min_pool_bytes=0, workers=2)
    assert _records(pooled) == _records(here)
    assert 0 < sum(submitted) < len(files)  # a worker parsed some, this process the others
    assert any(r.problems for r in here[0]) == (tree == "fixtures")  # failures travel too
    assert ticks[-1] == (len(files), len(files))
    assert [done for done, _ in ticks] == sorted(done for done, _ in ticks)
    assert len(ticks) > 1  # one tick per chunk


@pytest.mark.usefixtures("small_chunks")
def test_other_sources_are_parsed_here_in_file_order(synthetic: Path) -> None:
    """Files without a local tree's reader (GitHub, SBOMs) stay in this process, and a
    repository with any of them stays here whole; the order of the results is kept."""
    files = _files(synthetic)
    memory = {f.path: f.read() for f in files}
    moved = {files[3].repo, files[-1].repo}
    mixed = [
        dataclasses.replace(f, reader=memory.__getitem__) if f.repo in moved else f for f in files
    ]
    sbom = ManifestFile("sbom", "bom.json", 2, lambda _: b"{}")
    mixed.insert(5, sbom)
    here = parse_files(mixed, {sbom}, min_pool_bytes=1 << 60)
    pooled = parse_files(mixed, {sbom}, min_pool_bytes=0, workers=2)
    assert _records(pooled) == _records(here)
    assert [r.file for r in pooled[0]] == mixed
    assert pooled[0][5].problems  # the SBOM parser read it (and found no SBOM)


@pytest.fixture
def running_thread() -> Iterator[None]:
    """Another thread runs (as the progress bar does): workers must not be forked from here."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


@pytest.fixture
def start_methods(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    methods: list[str | None] = []
    get_context = multiprocessing.get_context

    def recorded(method: str | None = None) -> Any:
        methods.append(method)
        return get_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", recorded)
    return methods


@pytest.mark.usefixtures("small_chunks")
def test_workers_are_forked_while_no_other_thread_runs(
    synthetic: Path, start_methods: list[str | None]
) -> None:
    files = _files(synthetic)
    parse_files(files, min_pool_bytes=0, workers=2)
    if sys.platform == "linux" and threading.active_count() == 1:
        assert start_methods == ["fork"]


@pytest.mark.usefixtures("running_thread", "small_chunks")
def test_workers_come_from_a_fork_server_while_threads_run(
    synthetic: Path, start_methods: list[str | None]
) -> None:
    files = _files(synthetic)
    here = parse_files(files, min_pool_bytes=1 << 60)
    assert _records(parse_files(files, min_pool_bytes=0, workers=2)) == _records(here)
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert start_methods == ["forkserver"]


def test_collect_with_workers_matches_collect_without(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(enrich=False)
    monkeypatch.setattr(parse_pool, "POOL_MIN_BYTES", 1 << 60)
    here = pipeline.collect([synthetic, FIXTURES], config)
    monkeypatch.setattr(parse_pool, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(parse_pool, "cpus", lambda: 2)
    pooled = pipeline.collect([synthetic, FIXTURES], config)
    assert pooled == here
    assert [d.extras for d in pooled.dependencies] == [d.extras for d in here.dependencies]


def test_one_cpu_or_a_small_collection_is_parsed_here(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(workers: int) -> None:
        raise AssertionError("no workers expected")

    monkeypatch.setattr(parse_pool, "_pool", no_pool)
    files = _files(synthetic)
    parse_files(files, min_pool_bytes=0, workers=1)
    parse_files(files, workers=2)  # a small tree: below POOL_MIN_BYTES


def test_results_cross_processes_whole() -> None:
    """Records are sent as constructor calls; every field arrives, extras included."""
    file = ManifestFile("repo", "a/pyproject.toml", 10, print, "a")  # a reader that pickles
    dep = Dependency(Ecosystem.PYPI, "psycopg", ">=3", "3.2", Scope.TEST, True, "repo",
                     "a/pyproject.toml", 4, source="url", extras=("binary", "pool"))  # fmt: skip
    problem = Problem("a/pyproject.toml", 2, "bad", "repo")
    edge = ("pkg:pypi/a", dep.purl)
    parsed = ParsedManifest(file, (dep,), (problem,), ("pkg:pypi/a",), (edge,), lockfile=True)
    back = pickle.loads(parse_pool._dumps(parsed))
    assert back == parsed
    assert back.dependencies[0].extras == ("binary", "pool")
    assert all(
        getattr(back.dependencies[0], f.name) == getattr(dep, f.name)
        for f in dataclasses.fields(Dependency)
    )
