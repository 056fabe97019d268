"""Comments on the plan: anchored to a plan feature (and a point along a line), shown with the
feature, filtered by it, and counted along the route on the map."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from consultations.models import PlanFeature, PlanLayer
from debate import services
from debate.models import Comment, CommentPublication
from tests import factories

from .factories import CommentFactory

# A route running east along latitude 68.8 for about 4 km, and a square area beside it.
ROUTE = {"type": "LineString", "coordinates": [[16.50, 68.80], [16.60, 68.80]]}
AREA = {
    "type": "Polygon",
    "coordinates": [
        [[16.50, 68.81], [16.52, 68.81], [16.52, 68.82], [16.50, 68.82], [16.50, 68.81]]
    ],
}


def make_plan(consultation, name="Tunnel routes"):
    layer = PlanLayer.objects.create(consultation=consultation, name=name, feature_count=2)
    route = PlanFeature.objects.create(
        layer=layer, number=1, name="Route A", kind="line", geometry=json.dumps(ROUTE)
    )
    area = PlanFeature.objects.create(
        layer=layer, number=2, name="Portal area", kind="area", geometry=json.dumps(AREA)
    )
    return route, area


@pytest.fixture
def plan(consultation):
    return make_plan(consultation)


@pytest.fixture
def api():
    return APIClient()


# --- the rules -----------------------------------------------------------------------------------


def test_point_on_a_route_is_snapped_and_its_fraction_stored(topic, resident, plan):
    route, _area = plan
    # 30 m north of the route, a quarter of the way along.
    comment = services.comment_create(
        author=resident,
        target=topic,
        body="The portal here is too close to the school.",
        plan_feature=route.pk,
        anchor_longitude=16.525,
        anchor_latitude=68.80027,
    )
    comment.refresh_from_db()
    assert comment.plan_feature_id == route.pk
    assert comment.anchor_fraction == pytest.approx(0.25, abs=0.002)
    assert comment.anchor_latitude == pytest.approx(68.80, abs=0.00005)  # on the line
    assert comment.anchor_longitude == pytest.approx(16.525, abs=0.0001)


def test_a_point_too_far_from_the_feature_is_refused(topic, resident, plan, settings):
    route, _area = plan
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            author=resident,
            target=topic,
            body="Here.",
            plan_feature=route,
            anchor_longitude=16.525,
            anchor_latitude=68.801,  # about 110 m north
        )
    assert "anchor" in refused.value.message_dict
    assert "within 50 metres" in refused.value.message_dict["anchor"][0]
    settings.PLAN_COMMENT_TOLERANCE_METRES = 200
    comment = services.comment_create(
        author=resident,
        target=topic,
        body="Here.",
        plan_feature=route,
        anchor_longitude=16.525,
        anchor_latitude=68.801,
    )
    assert comment.anchor_fraction == pytest.approx(0.25, abs=0.002)


def test_a_feature_of_another_consultation_or_unknown_is_refused(topic, resident, plan):
    other_route, _ = make_plan(factories.ConsultationFactory(), name="Elsewhere")
    for feature in (other_route.pk, 999_999, "abc"):
        with pytest.raises(ValidationError) as refused:
            services.comment_create(
                author=resident, target=topic, body="Here.", plan_feature=feature
            )
        assert "plan_feature" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_area_takes_a_point_inside_and_a_point_without_feature_is_refused(topic, resident, plan):
    _route, area = plan
    inside = services.comment_create(
        author=resident,
        target=topic,
        body="Keep the trees.",
        plan_feature=area,
        anchor_longitude=16.51,
        anchor_latitude=68.815,
    )
    assert (inside.anchor_longitude, inside.anchor_latitude) == (16.51, 68.815)
    assert inside.anchor_fraction is None
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            author=resident, target=topic, body="x", anchor_longitude=16.51, anchor_latitude=68.8
        )
    assert "plan_feature" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            author=resident,
            target=topic,
            body="x",
            plan_feature=area,
            anchor_longitude="east",
            anchor_latitude=68.8,
        )
    assert "anchor" in refused.value.message_dict


def test_replies_and_idea_comments_carry_no_anchor(topic, resident, plan):
    route, _ = plan
    root = services.comment_create(author=resident, target=topic, body="Root", plan_feature=route)
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            author=resident, target=topic, body="Reply", parent=root, plan_feature=route
        )
    assert "plan_feature" in refused.value.message_dict
    reply = services.comment_create(author=resident, target=topic, body="Reply", parent=root)
    assert reply.plan_feature_id is None


def test_commenting_rules_still_apply(topic, plan):
    route, _ = plan
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.comment_create(author=AnonymousUser(), target=topic, body="x", plan_feature=route)


# --- the topic page ------------------------------------------------------------------------------


def test_form_offers_features_by_layer_and_shows_the_chosen_point(client, topic, resident, plan):
    route, _ = plan
    client.force_login(resident)
    page = client.get(
        f"{topic.get_absolute_url()}?feature={route.pk}&lon=16.525&lat=68.8002"
    ).content.decode()
    assert '<optgroup label="Tunnel routes">' in page
    assert f'<option value="{route.pk}" selected>Route A</option>' in page
    assert "near 68.80020° N, 16.52500° E" in page


def test_posting_the_form_anchors_and_the_debate_shows_and_filters(client, topic, resident, plan):
    route, area = plan
    client.force_login(resident)
    response = client.post(
        f"/debate/topics/{topic.pk}/comment/",
        {
            "body": "Noise at the portal",
            "stance": "against",
            "plan_feature": route.pk,
            "anchor_longitude": "16.575",
            "anchor_latitude": "68.8001",
        },
    )
    assert response.status_code == 302
    anchored = Comment.objects.get()
    assert anchored.anchor_fraction == pytest.approx(0.75, abs=0.002)
    CommentFactory(topic=topic, body="About the whole topic")
    CommentFactory(topic=topic, body="About the area", plan_feature=area)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "On: Tunnel routes — Route A" in page
    assert f"{topic.consultation.get_absolute_url()}#plan-feature-{route.pk}" in page
    filtered = client.get(f"{topic.get_absolute_url()}?feature={route.pk}").content.decode()
    assert "Noise at the portal" in filtered
    assert "About the whole topic" not in filtered and "About the area" not in filtered
    assert "Showing only comments on Tunnel routes — Route A." in filtered


def test_too_far_is_a_readable_form_error(client, topic, resident, plan):
    route, _ = plan
    client.force_login(resident)
    response = client.post(
        f"/debate/topics/{topic.pk}/comment/",
        {
            "body": "Here",
            "plan_feature": route.pk,
            "anchor_longitude": "16.55",
            "anchor_latitude": "68.85",
        },
    )
    assert response.status_code == 400
    assert "must be within 50 metres" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_page_reads_in_danish(client, topic, resident, plan, settings):
    route, _ = plan
    CommentFactory(topic=topic, plan_feature=route)
    client.force_login(resident)
    page = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Om: Tunnel routes — Route A" in page
    assert "Vis kommentarer om" in page


def test_topic_page_query_count_is_flat(client, topic, plan):
    route, area = plan

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{topic.get_absolute_url()}?sort=newest").status_code == 200
        return len(queries)

    for feature in (route, area):
        CommentFactory(topic=topic, plan_feature=feature)
    few = count()
    for n in range(18):
        CommentFactory(topic=topic, plan_feature=route if n % 2 else area)
    assert count() == few


# --- the API -------------------------------------------------------------------------------------


def test_api_shows_anchor_fields_and_filters_by_feature(api, topic, resident, plan):
    route, area = plan
    api.force_authenticate(resident)
    response = api.post(
        f"/api/v1/topics/{topic.pk}/comments/",
        {
            "body": "Route",
            "plan_feature": route.pk,
            "anchor_longitude": 16.55,
            "anchor_latitude": 68.8,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["plan_feature"] == {"id": route.pk, "name": "Route A", "layer": "Tunnel routes"}
    assert body["anchor"]["fraction"] == pytest.approx(0.5, abs=0.002)
    CommentFactory(topic=topic, plan_feature=area)
    CommentFactory(topic=topic)
    listed = api.get(f"/api/v1/topics/{topic.pk}/comments/?plan_feature={route.pk}").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    everyone = api.get(f"/api/v1/topics/{topic.pk}/comments/").json()["results"]
    assert len(everyone) == 3
    assert {c["anchor"] is None for c in everyone} == {True, False}
    assert api.get(f"/api/v1/topics/{topic.pk}/comments/?plan_feature=x").status_code == 400


def test_api_refuses_a_foreign_feature_with_400(api, topic, resident, plan):
    foreign, _ = make_plan(factories.ConsultationFactory())
    api.force_authenticate(resident)
    response = api.post(
        f"/api/v1/topics/{topic.pk}/comments/",
        {"body": "x", "plan_feature": foreign.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "plan_feature" in response.json()


def test_api_query_count_is_flat_with_anchored_comments(api, topic, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    route, area = plan

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/topics/{topic.pk}/comments/?sort=oldest").status_code == 200
        return len(queries)

    for feature in (route, area):
        CommentFactory(topic=topic, plan_feature=feature)
    api.force_authenticate(factories.UserFactory())
    few = count()
    for n in range(18):
        CommentFactory(topic=topic, plan_feature=route if n % 2 else area)
    assert count() == few


def test_openapi_documents_the_filter_and_fields(api):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "plan_feature" in text and "anchor_longitude" in text
    assert "plan-comments.geojson" in text


# --- the map of comments along the route ---------------------------------------------------------


def feed(client, consultation):
    response = client.get(f"/api/v1/consultations/{consultation.slug}/plan-comments.geojson")
    assert response.status_code == 200
    return response.json()["features"]


def test_feed_counts_sections_along_the_route_and_hides_what_is_not_public(
    client, topic, resident, plan
):
    route, area = plan
    for lon in (16.501, 16.502, 16.503):  # the first section (fraction < 0.05)
        CommentFactory(
            topic=topic,
            plan_feature=route,
            anchor_longitude=lon,
            anchor_latitude=68.8,
            anchor_fraction=(lon - 16.5) / 0.1,
        )
    CommentFactory(
        topic=topic,
        plan_feature=route,
        anchor_longitude=16.59,
        anchor_latitude=68.8,
        anchor_fraction=0.9,
    )
    CommentFactory(topic=topic, plan_feature=area)
    # Never on the map: hidden, deleted, waiting for approval.
    for extra in (
        {"is_hidden": True},
        {"is_deleted": True},
        {"publication": CommentPublication.PENDING_MODERATION},
    ):
        CommentFactory(
            topic=topic,
            plan_feature=route,
            anchor_longitude=16.595,
            anchor_latitude=68.8,
            anchor_fraction=0.95,
            **extra,
        )
    features = feed(client, topic.consultation)
    counts = sorted(
        (f["properties"]["plan_feature"], f["properties"]["section"], f["properties"]["count"])
        for f in features
    )
    assert counts == sorted(
        [(route.pk, [0.0, 0.05], 3), (route.pk, [0.9, 0.95], 1), (area.pk, None, 1)]
    )
    first = next(f for f in features if f["properties"]["count"] == 3)
    assert first["geometry"]["coordinates"] == pytest.approx([16.5025, 68.8], abs=0.0002)
    text = json.dumps(features)
    for comment in Comment.objects.all():
        assert comment.author.public_name not in text and comment.body not in text


def test_feed_is_cached_and_follows_new_comments(
    client, topic, resident, plan, django_assert_num_queries
):
    route, _ = plan
    services.comment_create(author=resident, target=topic, body="One", plan_feature=route)
    assert feed(client, topic.consultation)[0]["properties"]["count"] == 1
    with django_assert_num_queries(1):  # the consultation; the feed comes from the cache
        feed(client, topic.consultation)
    services.comment_create(author=resident, target=topic, body="Two", plan_feature=route)
    assert feed(client, topic.consultation)[0]["properties"]["count"] == 2


def test_feed_query_count_is_flat(client, topic, plan, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    route, area = plan

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            feed(client, topic.consultation)
        return len(queries)

    for n in range(2):
        CommentFactory(
            topic=topic,
            plan_feature=route,
            anchor_longitude=16.5 + n / 100,
            anchor_latitude=68.8,
            anchor_fraction=n / 10,
        )
    few = count()
    for n in range(18):
        CommentFactory(
            topic=topic,
            plan_feature=area if n % 2 else route,
            anchor_longitude=16.5 + n / 200,
            anchor_latitude=68.8,
            anchor_fraction=n / 20,
        )
    assert count() == few


def test_feed_of_a_draft_is_not_public(client, plan):
    draft = factories.ConsultationFactory(status="draft")
    response = client.get(f"/api/v1/consultations/{draft.slug}/plan-comments.geojson")
    assert response.status_code == 404


# --- the list beside the consultation's map -------------------------------------------------------


def test_list_beside_the_map_counts_comments_and_links_to_the_form(client, topic, plan):
    route, area = plan
    CommentFactory(topic=topic, plan_feature=route)
    CommentFactory(topic=topic, plan_feature=route)
    CommentFactory(topic=topic, plan_feature=route, is_hidden=True)
    page = client.get(topic.consultation.get_absolute_url()).content.decode()
    assert f'id="plan-feature-{route.pk}"' in page
    assert f'{topic.get_absolute_url()}?feature={route.pk}#comments">2 comments</a>' in page
    assert f'{topic.get_absolute_url()}?feature={area.pk}#comment-form-heading"' in page
    assert "Comment on this feature" in page
    assert '"plan-comments-map"' in page and "plan-comments.geojson" in page
    danish = client.get(
        topic.consultation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()
    assert "Kommentér denne del" in danish and "Kommentarer til planen" in danish


def test_consultation_page_query_count_does_not_grow_with_plan_comments(client, topic, plan):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    route, area = plan
    client.force_login(factories.UserFactory())  # past the anonymous page cache

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(topic.consultation.get_absolute_url()).status_code == 200
        return len(queries)

    CommentFactory(topic=topic, plan_feature=route)
    CommentFactory(topic=topic, plan_feature=area)
    count()  # the first view of a consultation counts its key figures and stores them
    few = count()
    for n in range(18):
        CommentFactory(topic=topic, plan_feature=route if n % 2 else area)
    assert count() == few


def test_no_topic_means_no_comment_links(client, consultation, plan):
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Comment on this feature" not in page


def test_removing_a_layer_keeps_the_comments(topic, resident, plan):
    route, _ = plan
    comment = services.comment_create(
        author=resident,
        target=topic,
        body="Keep me",
        plan_feature=route,
        anchor_longitude=16.55,
        anchor_latitude=68.8,
    )
    route.layer.delete()
    comment.refresh_from_db()
    assert comment.plan_feature_id is None and comment.body == "Keep me"
