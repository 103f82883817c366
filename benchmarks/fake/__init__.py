"""A local fake of every public API fundscout's enrichment calls, for benchmarks.

One threaded HTTP server per real host (PyPI, npm, deps.dev, ecosyste.ms, OSV, GitHub), each on
its own 127.0.0.1 port, so that the client's per-host concurrency limit applies exactly as it
does against the real services. All of them serve one synthetic :class:`World` of N packages
(PyPI and npm, with release histories, maintainers, source repositories on github.com, owners,
FUNDING.yml files, contributors and advisories), generated deterministically from a seed, in the
documented shapes of each API. One module per API (``pypi``, ``npm``, ``depsdev``,
``ecosystems``, ``osv``, ``github`` and ``github_graphql``) builds its documents and routes its
requests; ``server`` counts, delays and perturbs them (see its docstring); ``handler`` speaks
HTTP; ``world`` and ``common`` hold the data they share.

Run alone: ``python -m benchmarks.fake --packages 2000``.
"""

from benchmarks.fake.cli import endpoint_urls, main, parse_args
from benchmarks.fake.server import FakeApi
from benchmarks.fake.world import World

__all__ = ["FakeApi", "World", "endpoint_urls", "main", "parse_args"]
