"""Acme notification tasks."""

from celery import Celery

app = Celery("notifications", broker="redis://localhost:6379/0")


@app.task
def send_email(to: str, template: str) -> None:
    ...
