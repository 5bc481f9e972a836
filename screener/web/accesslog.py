"""The route of each request, for the access log: `/c/<slug>/f/<token>/check`, never the path.

A framed path carries the screening's bearer id and a query string can carry what someone
typed, so the WSGI server's access log (see gunicorn.conf.py) writes the URL rule Flask
matched instead, read from the WSGI environ under ROUTE_KEY.
"""

from __future__ import annotations

from flask import Flask, Response, request

ROUTE_KEY = "screener.route"
UNMATCHED = "-"
"""What is logged for a path that matched no route (a 404): the path itself may be a framed
id mistyped or cut short."""


def _record_route(response: Response) -> Response:
    rule = request.url_rule
    request.environ[ROUTE_KEY] = rule.rule if rule is not None else UNMATCHED
    return response


def init_app(app: Flask) -> None:
    app.after_request(_record_route)
