"""Acme scoring models."""

import joblib
from sklearn.ensemble import GradientBoostingClassifier


def train(X, y) -> GradientBoostingClassifier:
    model = GradientBoostingClassifier(n_estimators=200)
    model.fit(X, y)
    return model


def save(model, path: str) -> None:
    joblib.dump(model, path)
