"""The baseline: a bare Flask app under the same gunicorn settings as ours."""

from flask import Flask, Response, redirect, request


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

    @app.get("/walk/<kind>")
    def walk_page(kind: str) -> str:
        """`bench/load.py` replays a patient's requests here, one address per request kind."""
        return f"<!doctype html><title>{kind}</title><p>{kind}</p>"

    @app.post("/walk/<kind>")
    def walk_post(kind: str) -> object:
        if kind == "summary-PDF":
            return Response(b"%PDF-1.7 bench", mimetype="application/pdf")
        return redirect("/walk/next") if request.form is not None else "no"

    return app
