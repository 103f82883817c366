"""A synthetic organization: many repositories of manifests and lockfiles, for benchmarks."""
