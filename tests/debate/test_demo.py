import io

from django.db.models import Count, Q

from debate.models import Comment, CommentVote, PollAnswer
from debate.scoring import wilson_lower_bound
from devsite.demo import consultations as consultations_demo
from devsite.demo import debate as demo
from devsite.demo import people as civic_demo


def test_demo_builds_the_harstad_debate_once(db):
    out = io.StringIO()
    users = civic_demo.load(out)
    consultations_demo.load(out, users)
    demo.load(out, users)
    comments = Comment.objects.filter(consultation__slug="harstad-sentrumstunnel")
    total = comments.count()
    assert 130 <= total <= 170
    assert comments.filter(depth__gte=3).exists()
    assert comments.filter(stance="for").exists() and comments.filter(stance="against").exists()
    official = comments.filter(is_official=True)
    assert official.count() >= 3 and set(official.values_list("author", flat=True)) == {
        users["planner2"].pk
    }
    assert PollAnswer.objects.values("user").distinct().count() >= 35
    for topic in (
        users["planner2"]
        .planned_consultations.get()
        .topics.annotate(n=Count("comments", filter=Q(comments__is_deleted=False)))
    ):
        assert topic.comment_count == topic.n
    sample = comments.filter(upvotes__gt=0).first()
    assert sample.upvotes == CommentVote.objects.filter(comment=sample, value=1).count()
    assert sample.score == wilson_lower_bound(sample.upvotes, sample.downvotes)
    votes = CommentVote.objects.count()
    demo.load(out, users)
    consultations_demo.load(out, users)
    demo.load(out, users)
    assert comments.count() == total and CommentVote.objects.count() == votes


def test_demo_anchors_comments_to_sections_of_the_tunnel_routes(db):
    from devsite.demo import plans as plans_demo

    out = io.StringIO()
    users = civic_demo.load(out)
    consultations_demo.load(out, users)
    plans_demo.load(out, users)
    demo.load(out, users)
    anchored = Comment.objects.filter(plan_feature__isnull=False)
    assert anchored.count() == len(demo.PLAN_COMMENTS)
    assert set(anchored.values_list("plan_feature__kind", flat=True)) == {"line"}
    assert all(0 <= c.anchor_fraction <= 1 for c in anchored)
    # The plan is made anew on another run; the comments follow the routes' new ids.
    plans_demo.load(out, users)
    demo.load(out, users)
    assert Comment.objects.filter(plan_feature__isnull=False).count() == len(demo.PLAN_COMMENTS)
