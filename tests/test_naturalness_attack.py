"""The naturalness table against a scripted visitor who knows the public repository (the pool and its manifest)."""

from __future__ import annotations

import random
import shutil

import pytest
from naturalness_helpers import make_pool

from naturalness.results import CATCH
from naturalness.store import VoteError
from naturalness.study import NaturalnessStudy

HONEST_YES = {"real": 0.85, "half-saturation": 0.6, "swapped-channels": 0.15, CATCH: 0.05}


class Clock:
    """A clock the test moves: answers take the seconds a person takes, without waiting for them."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def take_round(study: NaturalnessStudy, clock: Clock, address: str, answer, seconds: float = 3.0) -> str:
    """One participant's whole round from `address`, answering `answer(method)`; returns their token, finished."""
    token = study.join()
    while (shown := study.draw(token, address)) is not None:
        clock.now += seconds
        study.vote(token, shown.ticket, answer(shown.entry.method), address)
    study.finish(token)
    return token


def open_study(root, clock: Clock) -> NaturalnessStudy:
    study = NaturalnessStudy(make_pool(root / "pool", photos=16), str(root / "votes.sqlite3"), seed=0, clock=clock)
    study.address_votes.limit = type(study.address_votes.limit)(10**6, 60.0)
    return study


@pytest.fixture(scope="module")
def honest_votes(tmp_path_factory):
    """A vote database where 30 honest participants (one address each) took their round on the 16-photo test pool."""
    root, clock, rng = tmp_path_factory.mktemp("honest"), Clock(), random.Random(0)
    study = open_study(root, clock)
    for person in range(30):
        take_round(study, clock, f"198.51.100.{person}", lambda method: rng.random() < HONEST_YES[method])
    study.store.close()
    return root / "votes.sqlite3", clock.now


@pytest.fixture
def honest_study(honest_votes, tmp_path):
    """A fresh copy of the honest study."""
    shutil.copy(honest_votes[0], tmp_path / "votes.sqlite3")
    clock = Clock()
    clock.now = honest_votes[1]
    return open_study(tmp_path, clock), clock


def shares(study: NaturalnessStudy) -> dict:
    return {result.method: result for result in study.results().methods}


def test_a_visitor_who_knows_every_images_method_cannot_move_a_method_beyond_its_interval(honest_study):
    study, clock = honest_study
    before = shares(study)
    # The attacker reads the public manifest (and re-colorizes public photos), so it knows every image's method,
    # passes every catch trial, waits like a person, and joins as twenty participants from one address.
    steer = {"real": True, "half-saturation": False, "swapped-channels": True, CATCH: False}
    for _ in range(20):
        take_round(study, clock, "203.0.113.66", steer.get)
    after = shares(study)
    for method, result in before.items():
        low, high = result.interval
        assert low <= after[method].share <= high, (method, result.share, after[method].share, result.interval)
    for method in before:  # the twenty identities weigh one participant: at most `cap` votes per method
        assert after[method].votes - before[method].votes <= study.cap


def test_stuffing_votes_that_fail_the_catch_trials_is_kept_but_left_out_and_counted_as_excluded(honest_study):
    study, clock = honest_study
    before = shares(study)
    excluded_before = sum(study.results().excluded.values())
    for address in range(8):  # eight addresses, but answering "real photos are unnatural" fails the catch trial
        take_round(study, clock, f"203.0.113.{address}", lambda method: method == "swapped-channels")
    for address in range(8):  # and answering in a blink fails the minimum answer time
        take_round(
            study,
            clock,
            f"192.0.2.{address}",
            lambda method: method != CATCH and method != "half-saturation",
            seconds=0.2,
        )
    results = study.results()
    assert sum(results.excluded.values()) == excluded_before + 16
    assert (
        results.excluded["judged every real photo unnatural"] >= 8
        and results.excluded["answered faster than a person looks"] >= 8
    )
    assert {m: r.share for m, r in shares(study).items()} == {m: r.share for m, r in before.items()}
    assert f"{excluded_before + 16} excluded" in results.summary()


def test_every_participant_meets_a_catch_trial_as_their_second_image(honest_study):
    study, clock = honest_study
    token = study.join()
    methods = []
    for _ in range(2):
        shown = study.draw(token, "198.51.100.200")
        methods.append(shown.entry.method)
        clock.now += 3
        study.vote(token, shown.ticket, True, "198.51.100.200")
    assert methods[1] == CATCH and methods[0] != CATCH


def test_results_cannot_be_read_mid_round(honest_study):
    study, _ = honest_study
    token = study.join()
    study.draw(token, "198.51.100.201")
    with pytest.raises(VoteError, match="once your round is over"):
        study.results_for(token)
    study.finish(token)
    assert study.results_for(token).counted == study.results().counted > 0


def test_joining_is_never_refused_so_one_visitor_cannot_lock_others_behind_the_same_address_out(honest_study):
    study, clock = honest_study
    tokens = {study.join() for _ in range(500)}  # one visitor behind a shared (untrusted-proxy) address
    assert len(tokens) == 500
    neighbour = study.join()
    assert study.draw(neighbour, "10.0.0.1") is not None
