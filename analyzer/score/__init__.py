"""Scoring: from the graph and the signals to a ranked, explained list of projects.

One module per part of the model (docs/scoring.md): ``reliance``, ``criticality``, ``need``,
``eligibility``, ``priority`` (the combination, the ranking and its entry point ``score``),
``explain`` (plain-language reasons), ``paths`` (how each repository reaches a project),
``signals`` (typed reads of enrichment) and ``settings`` (the configuration tables).
This package imports nothing at load time, so ``analyzer.config`` can use ``settings``.
"""
