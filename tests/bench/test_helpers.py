"""The helpers the benchmark scripts share: their command line, timing, and the seeding of
consultations, people and polls."""

import pytest

from bench import common, seed
from civic.models import User
from consultations.models import Category, Phase, PollOption
from tests import factories


def parse(argv):
    return common.parse_benchmark_arguments(common.benchmark_arguments("Doc.", runs=30), argv)


def test_the_arguments_run_py_passes_are_accepted():
    args = parse(["--write", "--runs=20"])
    assert (args.write, args.runs, args.scale) == (True, 20, 1.0)


@pytest.mark.parametrize("argv", [["--write", "--scale", "0.1"], ["--scale", "0"]])
def test_small_runs_are_never_written_and_the_scale_is_positive(argv):
    with pytest.raises(SystemExit):
        parse(argv)


def test_the_scripts_refuse_to_write_a_scaled_run_before_touching_a_database():
    from bench import debate_topic, maps_feeds, reports_summary

    for script in (debate_topic, maps_feeds, reports_summary):
        with pytest.raises(SystemExit):
            script.main(["--write", "--scale", "0.01"])


def test_scaled_keeps_at_least_one_row():
    assert common.scaled(20_000, 0.05) == 1_000
    assert common.scaled(500, 0.0001) == 1


def test_timed_runs_before_ahead_of_each_timed_call_only():
    calls = []
    median, p95, timings = common.timed(
        lambda: calls.append("call"), 4, warmup=2, before=lambda: calls.append("before")
    )
    assert calls == ["call", "call"] + ["before", "call"] * 4
    assert len(timings) == 4 and timings == sorted(timings)
    assert timings[0] <= median <= p95 <= timings[-1]


def test_reporting_time_prints_what_was_done(capsys):
    with common.reporting_time("seeded 3 ideas"):
        pass
    assert capsys.readouterr().out.startswith("seeded 3 ideas in 0.")


@pytest.mark.django_db
def test_with_query_count_returns_the_result_and_counts_its_queries():
    result, queries = common.with_query_count(lambda: list(User.objects.all()) or "none")
    assert (result, queries) == ("none", 1)


@pytest.mark.django_db
def test_getting_insists_on_a_200(client):
    with pytest.raises(AssertionError):
        common.getting(client, "/no-such-page/")()


def test_machine_leaves_out_the_memory_when_asked():
    assert "GiB" not in common.machine(memory=False)
    assert common.machine(memory=False).endswith("· PostgreSQL")


def test_the_area_is_the_christiansholm_outline_the_tests_use():
    assert seed.AREA == factories.CHRISTIANSHOLM_AREA


@pytest.mark.django_db
def test_seed_consultation_adds_phase_and_categories_only_when_new():
    made, created = seed.seed_consultation(
        "bench-x",
        {"title": "X", "reference_prefix": "BX"},
        phase={"kind": Phase.Kind.IDEAS, **seed.ALLOWS_EVERYTHING},
        opened_days_ago=30,
        open_days_ahead=30,
        categories=seed.CATEGORIES,
    )
    again, created_again = seed.seed_consultation(
        "bench-x", {}, phase={"kind": Phase.Kind.IDEAS}, categories=seed.CATEGORIES
    )
    assert (created, created_again) == (True, False)
    assert again == made
    phase = Phase.objects.get(consultation=made)
    assert phase.allows_ideas and phase.allows_support and phase.allows_comments
    assert (phase.ends_at - phase.starts_at).days == 60
    names = list(Category.objects.filter(consultation=made).order_by("position"))
    assert [c.name for c in names] == ["Bathing", "Culture", "Traffic"]


@pytest.mark.django_db
def test_seed_people_creates_the_missing_ones_and_returns_them_in_order():
    first = seed.seed_people(
        3, show_name_every=2, email="p{}@bench.test.invalid", display_name="Person {}"
    )
    more = seed.seed_people(
        5, show_name_every=2, email="p{}@bench.test.invalid", display_name="Person {}"
    )
    assert more[:3] == first
    assert [p.email for p in more] == [f"p{n}@bench.test.invalid" for n in range(5)]
    assert [p.show_name_publicly for p in more] == [True, False, True, False, True]
    assert User.objects.filter(email__endswith="@bench.test.invalid").count() == 5
    assert not more[0].has_usable_password()


@pytest.mark.django_db
def test_topic_with_poll_makes_its_options_once():
    consultation = factories.ConsultationFactory()
    topic, options = seed.topic_with_poll(
        consultation, "T", options=("Yes", "No"), poll_question="Q?"
    )
    again, options_again = seed.topic_with_poll(consultation, "T", options=("Other",))
    assert again == topic and topic.poll_question == "Q?"
    assert [o.label for o in options_again] == ["Yes", "No"] == [o.label for o in options]
    assert PollOption.objects.filter(topic=topic).count() == 2
