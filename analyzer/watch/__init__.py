"""Keeping watch between audits: baselines, the diff of two reports, and policy rules."""
