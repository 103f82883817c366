"""Acme billing API."""

from fastapi import FastAPI

app = FastAPI(title="Acme Billing")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
