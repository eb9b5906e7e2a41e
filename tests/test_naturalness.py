"""The naturalness test's pool, vote store, results table and command line, without the app."""

from __future__ import annotations

import csv
import io
import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from naturalness_helpers import METHODS, make_pool, photo_crops
from PIL import Image, ImageEnhance

from gan.metrics import wilson_interval
from naturalness.__main__ import main as cli
from naturalness.limits import RateLimit, StudyLimits
from naturalness.pool import build_pool, load_pool, next_image
from naturalness.results import format_table, tally, write_results_csv
from naturalness.store import RateLimitError, VoteError, VoteStore, database_url, new_id
from naturalness.study import NaturalnessStudy


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    return make_pool(tmp_path_factory.mktemp("pool"))


@pytest.fixture
def store(pool, tmp_path):
    store = VoteStore(str(tmp_path / "votes.sqlite3"), pool.catalog())
    yield store
    store.close()


def test_build_pool_records_source_and_method_of_every_image(pool):
    assert pool.methods == METHODS
    assert Counter(entry.method for entry in pool.entries) == {method: 12 for method in METHODS}
    for source in pool.sources():
        assert sorted(entry.method for entry in pool.entries if entry.source == source) == sorted(METHODS)
    assert all(pool.path(entry.image).is_file() for entry in pool.entries)


def test_pool_file_names_do_not_reveal_the_method_and_rebuild_gives_the_same_ids(pool, tmp_path):
    for entry in pool.entries:
        assert not any(method in entry.file for method in METHODS)
    rebuilt = make_pool(tmp_path / "again")
    assert rebuilt.catalog() == pool.catalog()
    assert load_pool(tmp_path / "again").catalog() == pool.catalog()


def test_rebuilding_a_pool_with_new_models_removes_the_images_of_the_old_ones(tmp_path):
    make_pool(tmp_path / "pool", photos=4)
    rebuilt = build_pool(
        photo_crops(4), {"quarter-saturation": lambda image: ImageEnhance.Color(image).enhance(0.25)}, tmp_path / "pool"
    )
    assert sorted(path.name for path in (tmp_path / "pool" / "images").iterdir()) == sorted(
        Path(entry.file).name for entry in rebuilt.entries
    )
    assert len(rebuilt.entries) == 8


def test_load_pool_refuses_a_pool_with_missing_images(pool, tmp_path):
    copy = make_pool(tmp_path / "copy")
    os.remove(copy.path(copy.entries[0].image))
    with pytest.raises(FileNotFoundError, match="rebuild"):
        load_pool(tmp_path / "copy")
    with pytest.raises(FileNotFoundError, match="build-pool"):
        load_pool(tmp_path / "nothing")


def test_next_image_shows_each_photo_once_with_methods_balanced_at_every_step(pool):
    rng, seen = random.Random(0), []
    while (entry := next_image(pool, seen, rng)) is not None:
        seen.append(entry.image)
        counts = Counter(pool.by_id[image].method for image in seen)
        assert max(counts[m] for m in METHODS) - min(counts[m] for m in METHODS) <= 1
    sources = [pool.by_id[image].source for image in seen]
    assert len(sources) == len(set(sources)) == len(pool.sources())


def test_next_image_orders_differ_between_participants(pool):
    orders = set()
    for seed in range(5):
        rng, seen = random.Random(seed), []
        while (entry := next_image(pool, seen, rng)) is not None:
            seen.append(entry.image)
        orders.add(tuple(seen))
    assert len(orders) == 5


def first_image(pool) -> Callable[[set[str]], str | None]:
    """A `choose` for VoteStore.draw: the first pool image not drawn yet."""
    return lambda seen: next((entry.image for entry in pool.entries if entry.image not in seen), None)


def test_store_writes_a_vote_once_when_retried_or_double_clicked(store, pool):
    participant = new_id()
    drawn = store.draw(participant, first_image(pool))
    first = store.record(participant, drawn.ticket, True)
    double_click = store.record(participant, drawn.ticket, False)
    assert (first.recorded, double_click.recorded) == (True, False)
    assert double_click.vote == first.vote
    assert (first.vote.vote_id, first.vote.image, first.vote.method) == (
        drawn.ticket,
        drawn.image,
        pool.by_id[drawn.image].method,
    )
    assert len(store) == 1
    assert store.counts() == {pool.by_id[drawn.image].method: (1, 1)}


def test_store_keeps_one_pending_image_per_participant_so_asking_again_cannot_pick_another(store, pool):
    participant = new_id()
    drawn = store.draw(participant, first_image(pool))
    assert store.draw(participant, lambda seen: pool.entries[-1].image) == drawn
    store.record(participant, drawn.ticket, True)
    following = store.draw(participant, first_image(pool))
    assert following.image != drawn.image and following.ticket != drawn.ticket


def test_store_measures_the_response_time_from_the_draw(store, pool):
    participant = new_id()
    drawn = store.draw(participant, first_image(pool))
    time.sleep(0.25)
    assert 250 <= store.record(participant, drawn.ticket, False).vote.response_ms < 5000


def test_store_refuses_a_vote_on_an_image_never_drawn_for_the_participant(store, pool):
    alice, mallory = new_id(), new_id()
    drawn = store.draw(alice, first_image(pool))
    with pytest.raises(VoteError, match="not given to you"):
        store.record(mallory, drawn.ticket, True)
    with pytest.raises(VoteError, match="not given to you"):
        store.record(alice, new_id(), True)
    assert len(store) == 0


@pytest.mark.parametrize(
    "ticket, natural, message",
    [
        ("x", True, "ticket is malformed"),
        (None, True, "ticket is malformed"),
        (12345, True, "ticket is malformed"),
        ("A" * 32, True, "ticket is malformed"),
        ("0" * 32 + "\n", True, "ticket is malformed"),
        ("drawn", "yes", "yes \\(true\\) or no"),
        ("drawn", None, "yes \\(true\\) or no"),
        ("drawn", 1, "yes \\(true\\) or no"),
    ],
)
def test_store_refuses_malformed_votes_with_a_sentence(store, pool, ticket, natural, message):
    participant = new_id()
    drawn = store.draw(participant, first_image(pool))
    with pytest.raises(VoteError, match=message):
        store.record(participant, drawn.ticket if ticket == "drawn" else ticket, natural)
    assert len(store) == 0


def test_store_refuses_a_flood_from_one_participant_but_not_others(pool, tmp_path):
    store = VoteStore(str(tmp_path / "votes.sqlite3"), pool.catalog(), RateLimit(votes=3, seconds=60))
    flooder = new_id()
    for _ in range(3):
        assert store.record(flooder, store.draw(flooder, first_image(pool)).ticket, True).recorded
    with pytest.raises(RateLimitError, match="at most 3 in 60 seconds"):
        store.record(flooder, store.draw(flooder, first_image(pool)).ticket, True)
    other = new_id()
    assert store.record(other, store.draw(other, first_image(pool)).ticket, False).recorded
    assert len(store) == 4


def test_rate_limits_come_from_the_environment_or_say_what_is_wrong(monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_VOTE_LIMIT", "12/30")
    monkeypatch.setenv("GAN_STUDIO_ADDRESS_LIMIT", "")
    assert StudyLimits.from_env() == StudyLimits(votes=RateLimit(12, 30.0))
    monkeypatch.setenv("GAN_STUDIO_VOTE_LIMIT", "")
    assert StudyLimits.from_env() == StudyLimits()
    for bad in ("fast", "0/60", "10/0", "10/nan", "10/inf"):
        monkeypatch.setenv("GAN_STUDIO_ADDRESS_LIMIT", bad)
        with pytest.raises(ValueError, match="GAN_STUDIO_ADDRESS_LIMIT"):
            StudyLimits.from_env()


def test_store_keeps_sqlite_in_wal_mode(store, tmp_path):
    with sqlite3.connect(tmp_path / "votes.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_url_takes_paths_and_server_urls():
    assert database_url("/tmp/v.sqlite3") == "sqlite:////tmp/v.sqlite3"
    assert database_url("postgresql://u:p@db:5432/votes") == "postgresql+psycopg://u:p@db:5432/votes"
    assert database_url("postgresql+psycopg://u@db/votes") == "postgresql+psycopg://u@db/votes"


@pytest.fixture
def study(pool, tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_STUDIO_VOTE_SECRET", raising=False)
    study = NaturalnessStudy(pool, str(tmp_path / "votes.sqlite3"), StudyLimits(votes=RateLimit(100)), seed=1)
    yield study
    study.store.close()


def test_study_never_draws_an_image_the_participant_answered(study, pool):
    token, answered = study.join("client"), []
    while (shown := study.draw(token)) is not None:
        assert shown.entry.image not in answered
        study.vote(token, shown.ticket, len(answered) % 2 == 0)
        answered.append(shown.entry.image)
    assert len(answered) == len(pool.sources()) == study.answered(token)


@pytest.mark.parametrize(
    "token", ["9" * 32, "0" * 32 + "." + "0" * 32, None, 42, "", "x" * 100_000]
)  # a well-formed id it never issued first (fixed, so that every test worker collects the same test ids)
def test_study_refuses_participants_it_did_not_issue(study, token):
    with pytest.raises(VoteError, match="not one this server issued"):
        study.draw(token)
    with pytest.raises(VoteError, match="not one this server issued"):
        study.vote(token, new_id(), True)
    assert len(study.store) == 0


def test_study_refuses_a_token_signed_with_another_secret(study, pool, tmp_path):
    elsewhere = NaturalnessStudy(pool, str(tmp_path / "elsewhere.sqlite3"))
    forged = elsewhere.join("client")
    assert elsewhere.draw(forged) is not None
    with pytest.raises(VoteError, match="not one this server issued"):
        study.draw(forged)


def test_study_refuses_a_vote_on_an_image_drawn_for_someone_else(study):
    alice, mallory = study.join("a"), study.join("b")
    shown = study.draw(alice)
    study.draw(mallory)
    with pytest.raises(VoteError, match="not given to you"):
        study.vote(mallory, shown.ticket, True)
    assert len(study.store) == 0


def test_study_secret_is_kept_in_the_database_or_taken_from_the_environment(study, pool, tmp_path, monkeypatch):
    token = study.join("client")
    again = NaturalnessStudy(pool, str(tmp_path / "votes.sqlite3"))
    assert again.secret == study.secret and again.participant(token) == study.participant(token)
    monkeypatch.setenv("GAN_STUDIO_VOTE_SECRET", "s" * 40)
    configured = NaturalnessStudy(pool, str(tmp_path / "votes.sqlite3"))
    assert configured.secret == b"s" * 40
    with pytest.raises(VoteError, match="not one this server issued"):
        configured.draw(token)
    monkeypatch.setenv("GAN_STUDIO_VOTE_SECRET", "short")
    with pytest.raises(ValueError, match="at least 32 characters"):
        NaturalnessStudy(pool, str(tmp_path / "votes.sqlite3"))


def test_study_limits_votes_per_address_however_many_participants_it_joins_as(pool, tmp_path):
    study = NaturalnessStudy(pool, str(tmp_path / "votes.sqlite3"), StudyLimits(address_votes=RateLimit(3, 60)))
    for _ in range(3):
        token = study.join()
        assert study.vote(token, study.draw(token, "10.0.0.1").ticket, True, "10.0.0.1").recorded
    token = study.join()
    with pytest.raises(RateLimitError, match="at most 3 in 60 seconds"):
        study.vote(token, study.draw(token, "10.0.0.1").ticket, True, "10.0.0.1")
    other = study.join()
    assert study.vote(other, study.draw(other, "10.0.0.2").ticket, True, "10.0.0.2").recorded


def test_study_takes_no_votes_after_the_participant_finished(study):
    token = study.join("client")
    shown = study.draw(token)
    study.vote(token, shown.ticket, True)
    pending = study.draw(token)
    study.finish(token)
    assert study.draw(token) is None and study.store.has_finished(study.participant(token))
    with pytest.raises(VoteError, match="finished the test"):
        study.vote(token, pending.ticket, False)
    assert len(study.store) == 1


def test_results_give_share_votes_and_wilson_interval_per_method_in_pool_order():
    results = tally({"swapped-channels": (1, 4), "real": (9, 10), "retired-model": (2, 2)}, METHODS)
    assert [r.method for r in results] == [*METHODS, "retired-model"]
    real, half, swapped, _ = results
    assert (real.natural, real.votes, real.share, real.interval) == (9, 10, 0.9, wilson_interval(9, 10))
    assert (half.votes, half.share) == (0, None)
    table = format_table(results)
    assert "| real | 90.0 % | 10 | 59.6 – 98.2 % |" in table
    assert "| half-saturation | – | 0 | – |" in table
    handle = io.StringIO()
    write_results_csv(results, handle)
    rows = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert rows[2] == {
        "method": "swapped-channels",
        "natural": "1",
        "votes": "4",
        "share": "0.250000",
        "wilson_low": f"{wilson_interval(1, 4)[0]:.6f}",
        "wilson_high": f"{wilson_interval(1, 4)[1]:.6f}",
    }


def test_cli_results_print_the_apps_screened_table_and_export_every_vote(store, pool, tmp_path, capsys):
    for participant in [new_id() for _ in range(3)]:
        for _ in range(3):
            drawn = store.draw(participant, first_image(pool))
            store.record(participant, drawn.ticket, pool.by_id[drawn.image].method == "real")
    db = str(tmp_path / "votes.sqlite3")
    cli(["results", "--db", db, "--pool", str(pool.root), "--csv", str(tmp_path / "table.csv")])
    printed = capsys.readouterr().out
    study = NaturalnessStudy(pool, db)
    assert format_table(study.results().methods) in printed and "9 votes" in printed
    assert "0 participants from 0 addresses counted, 3 excluded (3 too few answers)" in printed  # three answers each
    rows = list(csv.DictReader(open(tmp_path / "table.csv")))
    assert [(row["method"], row["votes"]) for row in rows] == [(method, "0") for method in METHODS]
    cli(["export", "--db", db, "--out", str(tmp_path / "votes.csv")])
    exported = list(csv.DictReader(open(tmp_path / "votes.csv")))
    assert sorted(row["vote_id"] for row in exported) == sorted(vote.vote_id for vote in store.all_votes())
    assert all(row["natural"] == str(pool.by_id[row["image"]].method == "real") for row in exported)


def test_cli_build_pool_colorizes_held_out_photos_keeping_their_luminance(tmp_path, capsys):
    from skimage.color import rgb2lab

    from colorgan.models import ChromaGANGenerator
    from gan.card import ModelCard
    from gan.hub import save_model

    model_dir = save_model(
        ChromaGANGenerator(base_channels=4, num_classes=0),
        tmp_path / "tiny-untrained",
        ModelCard("tiny", "test", "none", "none"),
    )
    photos = Path(__file__).resolve().parent / "data" / "photos" / "bee"
    cli(
        [
            "build-pool",
            "--out",
            str(tmp_path / "pool"),
            "--models",
            str(model_dir),
            "--tiny-imagenet",
            "0",
            "--bsds500",
            "0",
            "--folder",
            str(photos),
            "--skimage",
            "coffee",
        ]
    )
    assert "Wrote 26 images (13 photos x 2 methods: real, tiny-untrained)" in capsys.readouterr().out
    pool = load_pool(tmp_path / "pool")
    assert pool.provenance == {"tiny-untrained": f"folder {model_dir.name}"}
    assert sum(source.startswith("folder/") for source in pool.sources()) == 12 and "skimage/coffee" in pool.sources()
    for source in pool.sources():
        real, colorized = (
            next(e for e in pool.entries if e.source == source and e.method == m) for m in ("real", "tiny-untrained")
        )
        real_lab, colorized_lab = (rgb2lab(np.asarray(Image.open(pool.path(e.image)))) for e in (real, colorized))
        assert real_lab.shape == colorized_lab.shape
        assert np.abs(real_lab[..., 0] - colorized_lab[..., 0]).mean() < 1.0


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store_target(request, tmp_path):
    """An SQLite file, or the server database of $GAN_STUDIO_TEST_DATABASE_URL (emptied first)."""
    if request.param == "sqlite":
        return str(tmp_path / "votes.sqlite3")
    url = os.environ.get("GAN_STUDIO_TEST_DATABASE_URL")
    if not url:
        pytest.skip("set GAN_STUDIO_TEST_DATABASE_URL=postgresql://... to run the store tests on PostgreSQL too")
    from naturalness.store import make_engine, metadata

    engine = make_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url


def test_store_under_concurrent_writers_counts_a_vote_once_and_enforces_the_rate_limit(pool, any_store_target):
    from concurrent.futures import ThreadPoolExecutor

    store = VoteStore(any_store_target, pool.catalog(), RateLimit(votes=5, seconds=60))
    participant = new_id()
    with ThreadPoolExecutor(max_workers=8) as executor:
        draws = set(executor.map(lambda _: store.draw(participant, first_image(pool)), range(8)))
    assert len(draws) == 1
    ticket = draws.pop().ticket
    with ThreadPoolExecutor(max_workers=8) as executor:
        retries = list(executor.map(lambda _: store.record(participant, ticket, True).recorded, range(8)))
    assert sorted(retries) == [False] * 7 + [True]

    def vote_until_refused(_) -> Counter:
        outcomes = Counter()
        while True:
            drawn = store.draw(participant, first_image(pool))
            try:
                outcomes["recorded" if store.record(participant, drawn.ticket, False).recorded else "repeat"] += 1
            except RateLimitError:
                return outcomes

    with ThreadPoolExecutor(max_workers=8) as executor:
        outcomes = sum(executor.map(vote_until_refused, range(8)), Counter())
    assert outcomes["recorded"] == 4
    assert len(store) == 5 and len(store.seen_images(participant)) == 5

    def participant_votes(_) -> list[str]:
        someone = new_id()
        return [
            store.record(someone, store.draw(someone, first_image(pool)).ticket, True).vote.vote_id for _ in range(3)
        ]

    with ThreadPoolExecutor(max_workers=8) as executor:
        stored = [vote_id for votes in executor.map(participant_votes, range(8)) for vote_id in votes]
    assert len(set(stored)) == 24 and len(store) == 29
    store.close()


def test_study_keeps_its_secret_draws_votes_and_finished_participants_on_any_database(
    pool, any_store_target, monkeypatch
):
    monkeypatch.delenv("GAN_STUDIO_VOTE_SECRET", raising=False)
    study = NaturalnessStudy(pool, any_store_target, seed=0)
    token = study.join("client")
    shown = study.draw(token)
    assert study.vote(token, shown.ticket, True).recorded
    study.finish(token)
    study.finish(token)
    reopened = NaturalnessStudy(pool, any_store_target)
    assert reopened.secret == study.secret and reopened.draw(token) is None
    assert [(vote.vote_id, vote.method) for vote in reopened.store.all_votes()] == [(shown.ticket, shown.entry.method)]
    for opened in (study, reopened):
        opened.store.close()


def test_without_a_configured_or_local_pool_the_app_uses_the_bundled_pool_of_every_shipped_model(monkeypatch, tmp_path):
    from colorgan.inference import Colorizer
    from naturalness import pool as pool_module

    monkeypatch.delenv("GAN_STUDIO_POOL", raising=False)
    monkeypatch.setattr(pool_module, "LOCAL_POOL", tmp_path / "never-built")
    bundled = load_pool(pool_module.default_pool_dir())
    assert bundled.root == pool_module.BUNDLED_POOL
    assert set(bundled.methods) == {"real", *Colorizer.shipped_models()}
    per_source = Counter(entry.source for entry in bundled.entries)
    assert set(per_source.values()) == {len(bundled.methods)}
