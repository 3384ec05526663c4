"""Every dependency of every route is a coroutine function: FastAPI runs a plain function in
a thread of its pool, a hand-over there and back on each request (it cost ~0.5 ms of CPU per
write when the services lookup was one)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.support.app import test_settings as settings_for
from touchbase.web.app import create_app


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The app's API routes, also those of the routers it includes."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's included router
        if included is not None:
            yield from _api_routes(included.routes)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def test_no_route_runs_a_dependency_in_a_thread(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path}/t.db", "http://127.0.0.1:9", 9))
    routes = list(_api_routes(app.routes))
    assert len(routes) > 20
    in_threads = {
        f"{route.path}: {call.__qualname__}"
        for route in routes
        for call in _calls(route.dependant)
        if not inspect.iscoroutinefunction(call) and not inspect.isasyncgenfunction(call)
    }
    assert not in_threads
