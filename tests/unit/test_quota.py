"""The per-user budget of Google calls (pure: a fake clock)."""

from __future__ import annotations

from touchbase.calendar.quota import GoogleQuota


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_calls_within_the_budget_do_not_wait() -> None:
    time = FakeTime()
    quota = GoogleQuota(60, clock=time.clock, sleep=time.sleep)
    for _ in range(60):
        await quota.acquire()
    assert time.slept == []


async def test_calls_beyond_the_budget_wait_for_the_bucket_to_refill() -> None:
    time = FakeTime()
    quota = GoogleQuota(60, clock=time.clock, sleep=time.sleep)
    for _ in range(62):
        await quota.acquire()
    assert len(time.slept) == 2
    assert abs(sum(time.slept) - 2.0) < 1e-6, "one call per second at 60 a minute"


async def test_throttling_pauses_every_caller() -> None:
    time = FakeTime()
    quota = GoogleQuota(600, clock=time.clock, sleep=time.sleep)
    quota.back_off(5.0)
    await quota.acquire()
    assert time.slept == [5.0]
    await quota.acquire()
    assert time.slept == [5.0]


async def test_a_caller_waiting_for_its_turn_gives_up_when_the_process_stops() -> None:
    time = FakeTime()
    stopping = False

    async def sleep(seconds: float) -> None:
        nonlocal stopping
        await time.sleep(seconds)
        stopping = True  # told to stop during the wait

    quota = GoogleQuota(60, clock=time.clock, sleep=sleep, stopping=lambda: stopping)
    for _ in range(60):
        assert await quota.acquire()
    assert not await quota.acquire(), "no call taken"
    assert time.slept == [0.25], "it looked again within a quarter second"
