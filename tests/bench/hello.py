"""The baseline: the smallest Flask app, served with the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, world!"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
