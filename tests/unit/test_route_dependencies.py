"""Every dependency of every route is a coroutine function: FastAPI runs a plain function in
a thread of its pool, a hand-over there and back on each request (it cost ~0.5 ms of CPU per
write when the services lookup was one). Every route checks for NUL characters first, and
every JSON body is a `RequestBody` (which takes them out)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.support.app import test_settings as settings_for
from touchbase.web.app import create_app
from touchbase.web.deps import no_nul_characters
from touchbase.web.schemas import RequestBody


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


def test_every_route_keeps_nul_characters_from_the_database(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path}/t.db", "http://127.0.0.1:9", 9))
    assert no_nul_characters in [d.dependency for d in app.router.dependencies]  # all routes'
    routes = list(_api_routes(app.routes))
    bodies = [
        (r.path, p.field_info.annotation)
        for r in routes
        for p in r.dependant.body_params
        if not isinstance(p.field_info, params.Form)  # a form's fields: the check refuses
    ]
    assert len(bodies) > 10
    assert [(path, model) for path, model in bodies if not issubclass(model, RequestBody)] == []
