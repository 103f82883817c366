"""Acme ETL jobs."""

import pandas as pd


def load_events(path: str) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")
