"""Performance benchmarks for fundscout (run as modules: ``python -m benchmarks.enrich_bench``)."""
