"""Resolution: the transitive dependencies no lockfile lists, from registry metadata only.

Nothing is downloaded to be built or run: PyPI's JSON API and core metadata, and npm's
registry documents, say what each version depends on. ``driver.resolve`` walks the graph;
``pypi`` and ``npm`` answer for their registries; ``configured`` builds them from the
configuration. This package imports nothing itself, so ``analyzer.config`` can use
``target`` without pulling in the HTTP stack.
"""
