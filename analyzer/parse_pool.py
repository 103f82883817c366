"""Parsing an organization's manifests, in several processes when there are many of them.

Every file is parsed (an SBOM given as such by the SBOM parser), the files that list
installed packages are noted (``find_locks``) and each lockfile is merged with the manifests
it completes. All of that happens one repository at a time, so a large collection is cut
into chunks of whole repositories: worker processes take chunks from the front, this process
from the back, and the results are put back in file order, the same as parsing here gives.

Workers read the files themselves through the picklable ``TreeReader`` of a local tree;
files of other sources (a GitHub organization, SBOM files) are parsed in this process. The
workers are forked from this process while it runs no other thread, else (a progress bar
is running, whose locks a fork could copy held) from a fork server, a fresh process that has
imported fundscout's parsers. Either way they only parse: nothing crawled is executed.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import multiprocessing
import operator
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, cast

from analyzer.forked import cpus, threads_paused
from analyzer.gc_pause import paused_gc
from analyzer.manifests import parse_manifest
from analyzer.manifests.sbom import parse_sbom
from analyzer.merge import defer_catalogs, merge_lockfiles
from analyzer.model import Dependency, ManifestFile, ParsedManifest, Problem
from analyzer.parse_cache import Miss, ParseCache, ReadLog
from analyzer.parse_entries import Found  # a file's merged result; its lock, if it is one
from analyzer.resolve.interface import Lock, find_locks
from analyzer.sources.tree_reader import TreeReader

Progress = Callable[[int, int], None]
Parsed = tuple[list[ParsedManifest], list[Lock]]  # merged results in file order; the locks

POOL_MIN_BYTES = 24 << 20  # below this much to read, starting workers costs more than it saves
CHUNK_BYTES = 1 << 20  # how much a worker is handed at a time


def parse_files(
    files: Sequence[ManifestFile],
    sboms: Collection[ManifestFile] = (),
    progress: Progress | None = None,
    *,
    min_pool_bytes: int | None = None,
    workers: int | None = None,
    cache: ParseCache | None = None,
) -> Parsed:
    """Parse ``files`` (those in ``sboms`` as SBOMs) and merge each lockfile with its partner
    manifests; also return the files that list installed packages, as locks, in file order.

    Worker processes parse when the files of local trees hold at least ``min_pool_bytes``
    (``POOL_MIN_BYTES``) and more than one CPU (or ``workers``) is there to run them. With a
    ``cache``, repositories it remembers are not parsed, and the others are remembered.
    """

    def parse(some: Sequence[ManifestFile], tick: Progress | None) -> list[Found]:
        return _parse_files(some, sboms, tick, min_pool_bytes, workers or cpus())

    with paused_gc(lasting=True):  # records, never cycles: the collector would find nothing
        if cache is None:
            return _split(parse(files, progress))
        return _split(_through(cache, files, frozenset(sboms), progress, parse))


def _through(
    cache: ParseCache,
    files: Sequence[ManifestFile],
    sboms: frozenset[ManifestFile],
    progress: Progress | None,
    parse: Callable[[Sequence[ManifestFile], Progress | None], list[Found]],
) -> list[Found]:
    """What ``cache`` remembers, and the rest parsed (reading through a ``ReadLog`` per
    repository) and then remembered. A repository whose files have several readers (SBOM
    files) is always parsed: its reads could not be checked through one reader."""
    found: dict[int, Found] = {}
    misses: list[Miss] = []
    for group in _repositories(files):
        mine = [files[i] for i in group]
        key, one_reader = cache.key(mine, sboms), _one_reader(mine)
        remembered = cache.lookup(key, mine) if one_reader else None
        if remembered is not None:
            found.update(zip(group, remembered, strict=True))
            continue
        reads = ReadLog(mine[0].reader)
        logged = [dataclasses.replace(f, reader=reads) for f in mine] if one_reader else mine
        misses.append(Miss(key, logged, reads, group))
    if progress and found:
        progress(len(found), len(files))
    todo = [file for miss in misses for file in miss.files]
    if todo:
        base = len(found)
        tick = (lambda done, _: progress(base + done, len(files))) if progress else None
        indices = (index for miss in misses for index in miss.indices)
        for index, (result, lock) in zip(indices, parse(todo, tick), strict=True):
            found[index] = (dataclasses.replace(result, file=files[index]), lock)
    cache.store([m for m in misses if _one_reader(m.files)], found)
    return [found[i] for i in range(len(files))]


def _one_reader(files: Sequence[ManifestFile]) -> bool:
    first = files[0].reader
    return all(file.reader is first for file in files)


def _parse_files(
    files: Sequence[ManifestFile],
    sboms: Collection[ManifestFile],
    progress: Progress | None,
    min_pool_bytes: int | None,
    workers: int,
) -> list[Found]:
    min_pool_bytes = POOL_MIN_BYTES if min_pool_bytes is None else min_pool_bytes
    groups = _repositories(files)
    local = [g for g in groups if all(_local(files[i]) for i in g)]
    if workers < 2 or sum(files[i].size for g in local for i in g) < min_pool_bytes:
        return _parse(files, sboms, progress)
    chunks = deque(_chunks(local, files))
    here = sorted(set(range(len(files))).difference(*chunks))
    found: dict[int, Found] = {}
    running: deque[tuple[list[int], Future[bytes]]] = deque()
    pool = _pool(workers - 1)
    try:  # workers take chunks from the front, this process from the back
        while chunks or running or here:
            while chunks and len(running) < workers:  # each worker busy, one chunk waiting
                chunk = chunks.popleft()
                running.append((chunk, pool.submit(_work, [files[i] for i in chunk])))
            if here:  # files of other sources (and the rest of their repositories)
                chunk, here = here, []
                found.update(zip(chunk, _parse([files[i] for i in chunk], sboms), strict=True))
            elif running and (running[0][1].done() or not chunks):
                chunk, future = running.popleft()
                answer, reads = pickle.loads(future.result())  # noqa: S301  # our own worker's
                for index, (result, lock), seen in zip(chunk, answer, reads, strict=True):
                    found[index] = (dataclasses.replace(result, file=files[index]), lock)
                    if seen:  # what it read through a ReadLog of this process, in its copy
                        cast(ReadLog, files[index].reader).seen.update(seen)
            else:
                chunk = chunks.pop()
                found.update(zip(chunk, _parse([files[i] for i in chunk], ()), strict=True))
            if progress:
                progress(len(found), len(files))
    finally:  # on Ctrl-C too: what no worker has begun is dropped
        pool.shutdown(cancel_futures=True)
    return [found[i] for i in range(len(files))]


def _local(file: ManifestFile) -> bool:
    """True for a file of a local tree, which a worker can read itself."""
    reader = file.reader.inner if isinstance(file.reader, ReadLog) else file.reader
    return isinstance(reader, TreeReader)


def _parse(
    files: Sequence[ManifestFile], sboms: Collection[ManifestFile], progress: Progress | None = None
) -> list[Found]:
    """Parse and merge whole repositories."""
    results = []
    for done, file in enumerate(files, 1):
        results.append(parse_sbom(file) if file in sboms else parse_manifest(file))
        if progress:
            progress(done, len(files))
    locks = [next(iter(find_locks([parsed], sboms)), None) for parsed in results]
    return list(zip(merge_lockfiles(defer_catalogs(results)), locks, strict=True))


def _split(found: list[Found]) -> Parsed:
    return [result for result, _ in found], [lock for _, lock in found if lock is not None]


def _work(files: list[ManifestFile]) -> bytes:
    """A worker's task: parse a chunk of whole repositories (no SBOMs among them); also what
    each file's ``ReadLog`` noted, if it has one."""
    with paused_gc():
        found = _parse(files, ())
        reads = [f.reader.seen if isinstance(f.reader, ReadLog) else None for f in files]
        return _dumps((found, reads))


def _repositories(files: Sequence[ManifestFile]) -> list[list[int]]:
    """Indices of ``files`` by repository, in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for index, file in enumerate(files):
        groups.setdefault(file.repo, []).append(index)
    return list(groups.values())


def _chunks(groups: list[list[int]], files: Sequence[ManifestFile]) -> list[list[int]]:
    """Consecutive repositories gathered into chunks of about ``CHUNK_BYTES``."""
    chunks: list[list[int]] = []
    size = CHUNK_BYTES
    for group in groups:
        if size >= CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].extend(group)
        size += sum(files[i].size for i in group)
    return chunks


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers forked from this process while it runs no other thread (a fork copies no lock
    another thread holds, and starts at once; the progress bars' thread pauses meanwhile, see
    analyzer.forked), else from a fork server."""
    with threads_paused():
        if sys.platform == "linux" and threading.active_count() == 1:
            pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_ignore_interrupts,
            )
            pool.submit(int).result()  # the workers are forked now, while the threads pause
            return pool
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")  # it imports fundscout once;
        context.set_forkserver_preload([__name__])  # workers fork from it
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# Frozen dataclasses with slots pickle through a Python __getstate__ per object, which is
# slower than parsing; a constructor call with the field values is several times faster.
def _by_fields(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    values = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
    return lambda obj: (cls, values(obj))


_REDUCERS = copyreg.dispatch_table | {
    cls: _by_fields(cls) for cls in (Dependency, Problem, ParsedManifest, ManifestFile, Lock)
}


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()
