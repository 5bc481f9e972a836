"""The baseline: a bare Flask app under the same gunicorn settings as ours."""

from flask import Flask, redirect, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "hello"

    @app.post("/")
    def post() -> object:
        return redirect("/") if request.form is not None else "no"

    @app.post("/echo")
    def echo() -> object:
        return request.get_json(force=True, silent=True) or {}

    return app
