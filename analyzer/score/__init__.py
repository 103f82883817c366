"""Scoring: from the graph (and later, signals) to a ranked list of funding candidates."""
