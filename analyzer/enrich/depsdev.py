"""deps.dev (Open Source Insights) for GO, RUBYGEMS, NPM, CARGO, MAVEN, PYPI and NUGET packages.

v3: GetPackage, GetVersion (versions in use, at most ``MAX_VERSIONS``, and the default one),
GetProject (once per repository). v3alpha, which "may change in incompatible ways": GetVersionBatch
instead of one GetVersion per version, and ``:dependents`` of the default version. An unusable
v3alpha answer (absent on a mirror, an error page) is noted once, then v3 alone is used.

The requests overlap (see :class:`Pipeline`): a package's ``:dependents`` is asked as soon as its
GetPackage answers (once v3alpha has proved usable), GetVersionBatch for each group of packages
as soon as the group is read, GetProject for each new project as soon as a version names it.
Groups follow the input order, so that a rerun sends the same batch bodies and finds them in the
cache. What the answers mean, and the signals, are in :mod:`analyzer.enrich.depsdev_read`.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from analyzer.enrich.client import Client
from analyzer.enrich.concurrency import Hits
from analyzer.enrich.depsdev_read import (
    BATCH,
    EXPIRE,
    MAX_PAGES,
    SYSTEMS,
    Key,
    Plan,
    page_token,
    project_signals,
    read,
    read_batch,
    read_facts,
    read_package,
    version_facts,
)
from analyzer.enrich.interface import BadResponseError as Bad
from analyzer.enrich.interface import Finding, Provider, Subject
from analyzer.enrich.interface import SourceUnavailableError as Unavailable

__all__ = ["DepsdevProvider", "Plan", "project_signals", "read", "read_batch", "read_package",
           "version_facts"]  # fmt: skip


@dataclass(eq=False)
class DepsdevProvider(Provider):
    """deps.dev API v3, with v3alpha batches and dependents unless ``alpha=False``."""

    name = "depsdev"
    alpha: bool = True

    def supports(self, ecosystem: str) -> bool:
        return ecosystem in SYSTEMS

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        wanted = [item for item in items if item.ecosystem in SYSTEMS]
        return Pipeline(Run(self.name, client, self.alpha), wanted).findings()


class Run:
    """One fetch's calls, and whether v3alpha is usable (None: not known yet)."""

    def __init__(self, name: str, client: Client, alpha: bool) -> None:
        self.name, self.client = name, client
        self.alpha: bool | None = None if alpha else False
        self.base = client.endpoints.depsdev

    def url(self, api: str, key: Key) -> str:
        path = f"{self.base}/{api}/systems/{key[0]}/packages/{quote(key[1], safe='')}"
        return f"{path}/versions/{quote(key[2], safe='')}" if key[2] else path

    def get(self, url: str) -> Any:
        try:
            return self.client.get_json(self.name, url, expire=EXPIRE)
        except Bad as exc:
            return self.client.note(self.name, str(exc))

    def fail(self, exc: Exception) -> None:
        if self.alpha is not False and not self.client.settings.offline:  # a race: two notes
            self.client.note(self.name, f"deps.dev v3alpha unusable, v3 only: {exc}")
        self.alpha = False

    def dependents(self, plan: Plan) -> Any:
        try:
            url = self.url("v3alpha", plan.lookups()[-1]) + ":dependents"
            return self.client.get_json(self.name, url, expire=EXPIRE)
        except (Bad, Unavailable) as exc:
            return self.fail(exc)

    def batch(self, keys: list[Key]) -> dict[Key, Any] | None:
        """GetVersionBatch over ``keys``; None when v3alpha cannot serve it."""
        found: dict[Key, Any] = {}
        try:
            for start in range(0, len(keys), BATCH):
                asked = [{"versionKey": {"system": s, "name": n, "version": v}}
                         for s, n, v in keys[start : start + BATCH]]  # fmt: skip
                token: str | None = ""
                for _ in range(MAX_PAGES):
                    payload = {"requests": asked, **({"pageToken": token} if token else {})}
                    url = f"{self.base}/v3alpha/versionbatch"
                    page = self.client.post_json(self.name, url, payload, expire=EXPIRE)
                    found.update(read_batch(page))
                    if self.alpha is None:
                        self.alpha = True
                    if not (token := page_token(page)):
                        break
        except (Bad, Unavailable) as exc:
            self.fail(exc)
            return None
        return found


Asked = Callable[[], Any] | Future[tuple[Future[Any], bool]]  # to ask, or asked


@dataclass
class Group:
    """Packages whose versions are asked together, and how many answers are still due."""

    plans: list[Plan]
    keys: list[Key]
    waiting: int = 0


class Pipeline:
    """All requests of one fetch on one pool of threads. Workers only send
    requests; this thread reads each answer as it arrives and decides what to ask next, so no
    worker ever waits for another, and the host never idles while there is work. Requests
    queue in the order asked; while the last answer did not go past the answer store, this
    thread sends the next itself (see :mod:`analyzer.enrich.workers`)."""

    def __init__(self, run: Run, items: list[Subject]) -> None:
        self.run, self.items = run, items
        self.read_plans: dict[int, Plan | None] = {}  # by position in items
        self.facts: dict[Key, dict[str, Any]] = {}  # version_facts of each version read
        self.ids: dict[str, str | None] = {}  # package key -> project id
        self.projects: dict[str, Any] = {}
        self.dependents: dict[str, Any] = {}
        self.parked: list[Plan] = []  # dependents due once v3alpha proves usable
        self.group: list[Plan] = []
        self.group_keys = 0
        self.grouped = 0  # packages placed in a group, in input order
        self.answers: queue.SimpleQueue[tuple[Callable[[Any], None], Asked]] = queue.SimpleQueue()
        self.outstanding = 0
        self.hits = Hits(run.client.workers)  # whether the answer store is answering
        # Twice the client's threads: GetPackage answers are large, and while threads store
        # and decode them the others must keep the host's slots busy.
        self.pool = ThreadPoolExecutor(max_workers=2 * run.client.workers)

    def findings(self) -> Iterator[Finding]:
        with self.pool:
            try:
                for index, item in enumerate(self.items):
                    url = self.run.url("v3", (SYSTEMS[item.ecosystem], item.name, ""))
                    self.ask(partial(self.on_package, index), self.run.get, url)
                while self.outstanding:
                    then, asked = self.answers.get()
                    if isinstance(asked, Future):  # a worker's answer
                        outcome, sent = asked.result()
                    elif not self.hits.answering():  # to a worker; its answer joins the queue
                        future = self.pool.submit(self.run.client.attempt, asked)
                        future.add_done_callback(partial(self.answered, then))
                        continue
                    else:
                        outcome, sent = self.run.client.attempt(asked)
                    self.hits.record(sent)
                    self.outstanding -= 1
                    then(outcome.result())  # SourceUnavailableError ends the fetch
            finally:
                self.pool.shutdown(cancel_futures=True)
        at = self.run.client.fetched_at
        for _, plan in sorted(self.read_plans.items()):
            if plan is not None:
                project = self.projects.get(self.ids.get(plan.item.key) or "")
                counts = self.dependents.get(plan.item.key)
                yield read_facts(plan, self.facts, project, counts, at)

    def ask(self, then: Callable[[Any], None], call: Callable[..., Any], *args: Any) -> None:
        self.outstanding += 1
        self.answers.put((then, partial(call, *args)))

    def answered(self, then: Callable[[Any], None], done: Future[Any]) -> None:
        self.answers.put((then, done))

    def on_package(self, index: int, document: Any) -> None:
        plan = self.read_plans[index] = read_package(self.items[index], document)
        if plan is not None and plan.default is not None:
            self.parked.append(plan)
            self.release()
        while self.grouped in self.read_plans:  # groups are cut in input order, whatever
            plan = self.read_plans[self.grouped]  # order the answers arrive in
            self.grouped += 1
            if plan is None:
                continue
            keys = len(plan.lookups())
            if self.group_keys + keys > BATCH:
                self.flush()
            self.group.append(plan)
            self.group_keys += keys
        if self.grouped == len(self.items) and self.group:
            self.flush()

    def release(self) -> None:
        """Ask the parked dependents once v3alpha answered; drop them once it failed."""
        if self.run.alpha is True:
            for plan in self.parked:
                then = partial(self.dependents.__setitem__, plan.item.key)
                self.ask(then, self.run.dependents, plan)
        if self.run.alpha is not None:
            self.parked.clear()

    def flush(self) -> None:
        group = Group(self.group, sorted({key for p in self.group for key in p.lookups()}))
        self.group, self.group_keys = [], 0
        if group.keys and self.run.alpha is False:
            self.one_by_one(group)
        elif group.keys:
            self.ask(partial(self.on_batch, group), self.run.batch, group.keys)

    def on_batch(self, group: Group, found: dict[Key, Any] | None) -> None:
        self.release()
        if found is None:
            self.one_by_one(group)
        else:
            for key in group.keys:  # read each version once; the documents are let go
                self.facts[key] = version_facts(found.get(key))
            self.on_versions(group)

    def one_by_one(self, group: Group) -> None:
        """GetVersion (v3) for each key of a group that v3alpha could not serve."""
        group.waiting = len(group.keys)
        for key in group.keys:
            self.ask(partial(self.on_version, group, key), self.run.get, self.run.url("v3", key))

    def on_version(self, group: Group, key: Key, document: Any) -> None:
        self.facts[key] = version_facts(document)
        group.waiting -= 1
        if group.waiting == 0:
            self.on_versions(group)

    def on_versions(self, group: Group) -> None:
        """Ask GetProject for each project the group's described versions name first."""
        for plan in group.plans:
            if not plan.lookups():
                continue
            project = self.facts.get(plan.lookups()[-1], {}).get("project")
            self.ids[plan.item.key] = project
            if project and project not in self.projects:
                self.projects[project] = None  # asked; the answer replaces it
                url = f"{self.run.base}/v3/projects/{quote(project, safe='')}"
                self.ask(partial(self.projects.__setitem__, project), self.run.get, url)
