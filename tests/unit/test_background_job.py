"""A background job stops at once while it waits, and lets a round under way finish (within a
grace period) rather than cutting it midway."""

from __future__ import annotations

import asyncio

from touchbase.jobs.base import BackgroundJob


class Job(BackgroundJob):
    """Rounds that each take `round_seconds`; waits of `wait_seconds` between them."""

    def __init__(self, *, wait_seconds: float, round_seconds: float) -> None:
        super().__init__()
        self.wait_seconds, self.round_seconds = wait_seconds, round_seconds
        self.started = asyncio.Event()
        self.finished_rounds = 0

    async def wait(self) -> None:
        await asyncio.sleep(self.wait_seconds)

    async def run_once(self) -> None:
        self.started.set()
        await asyncio.sleep(self.round_seconds)
        self.finished_rounds += 1


def test_a_waiting_job_stops_at_once() -> None:
    async def scenario() -> float:
        job = Job(wait_seconds=60, round_seconds=0)
        job.start()
        await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await job.stop()
        assert job.finished_rounds == 0
        return loop.time() - began

    assert asyncio.run(scenario()) < 1


def test_a_round_under_way_finishes_before_the_job_stops() -> None:
    async def scenario() -> int:
        job = Job(wait_seconds=0, round_seconds=0.2)
        job.start()
        await job.started.wait()
        await job.stop()
        return job.finished_rounds

    assert asyncio.run(scenario()) == 1


def test_a_round_longer_than_the_grace_period_is_cancelled() -> None:
    async def scenario() -> tuple[int, float]:
        job = Job(wait_seconds=0, round_seconds=60)
        job.start()
        await job.started.wait()
        loop = asyncio.get_running_loop()
        began = loop.time()
        await job.stop(grace=0.1)
        return job.finished_rounds, loop.time() - began

    finished, took = asyncio.run(scenario())
    assert finished == 0
    assert took < 1


def test_a_stopped_job_can_start_again() -> None:
    async def scenario() -> int:
        job = Job(wait_seconds=0, round_seconds=0)
        job.start()
        await job.started.wait()
        await job.stop()
        done = job.finished_rounds
        job.started.clear()
        job.start()
        await job.started.wait()
        await job.stop()
        return job.finished_rounds - done

    assert asyncio.run(scenario()) >= 1
