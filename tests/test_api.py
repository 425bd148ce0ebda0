"""JSON API v1: posts, under the same visibility rules as the pages."""

from __future__ import annotations

REQUIRED_FIELDS = {
    "id",
    "kind",
    "title",
    "body",
    "category",
    "status",
    "created_at",
    "praying_count",
    "reply_count",
    "author",
}


def test_api_lists_posts_newest_first_with_required_fields(author, member, visitor):
    first = author.create_post(title="First")
    second = author.create_post(title="Second", kind="testimony")
    member.post(f"/posts/{first}/pray")
    member.post(f"/posts/{first}/replies", {"body": "With you"})
    data = visitor.get("/api/v1/posts").json()
    assert [p["id"] for p in data["posts"]] == [second, first]
    post = data["posts"][1]
    assert set(post) >= REQUIRED_FIELDS
    assert post["praying_count"] == 1 and post["reply_count"] == 1
    assert post["author"] == "Ruth Author"
    assert post["kind"] == "request" and post["status"] == "open"


def test_api_gets_one_post(author, visitor):
    post_id = author.create_post(title="Just one")
    data = visitor.get(f"/api/v1/posts/{post_id}").json()
    assert data["id"] == post_id and data["title"] == "Just one"


def test_api_hides_anonymous_authors(author, visitor, member):
    post_id = author.create_post(title="Quiet", anonymous="on")
    for browser in (visitor, member):
        single = browser.get(f"/api/v1/posts/{post_id}")
        assert single.json()["author"] is None
        text = single.text + browser.get("/api/v1/posts").text
        assert "Ruth Author" not in text and "author" + '"' + ":" + '"' not in text.replace(" ", "")
        assert '"author":null' in text.replace(" ", "")


def test_api_applies_visibility_rules(author, visitor, member):
    members_only = author.create_post(title="For members", visibility="members")
    team_only = author.create_post(title="For the team", visibility="team")
    assert visitor.get(f"/api/v1/posts/{members_only}").status_code == 404
    assert member.get(f"/api/v1/posts/{members_only}").status_code == 200
    assert member.get(f"/api/v1/posts/{team_only}").status_code == 404
    assert author.get(f"/api/v1/posts/{team_only}").status_code == 200
    visitor_ids = [p["id"] for p in visitor.get("/api/v1/posts").json()["posts"]]
    member_ids = [p["id"] for p in member.get("/api/v1/posts").json()["posts"]]
    assert visitor_ids == []
    assert member_ids == [members_only]


def test_api_pages_with_cursor(author, visitor):
    ids = [author.create_post(title=f"P{n}") for n in range(25)]
    first = visitor.get("/api/v1/posts").json()
    assert len(first["posts"]) == 20 and first["next_before"] == ids[5]
    second = visitor.get(f"/api/v1/posts?before={first['next_before']}").json()
    assert [p["id"] for p in second["posts"]] == list(reversed(ids[:5]))
    assert second["next_before"] is None


def test_api_bad_ids_are_json_404(visitor):
    for path in ("/api/v1/posts/abc", "/api/v1/posts/0", "/api/v1/posts/99999"):
        response = visitor.get(path)
        assert response.status_code == 404
        assert response.json()["status_code"] == 404


def test_openapi_document_describes_the_posts_api(visitor):
    document = visitor.get("/schema/openapi.json").json()
    assert "/api/v1/posts" in document["paths"]
    assert "/api/v1/posts/{post_id}" in document["paths"]
    schema = document["components"]["schemas"]["PostView"]
    assert set(schema["properties"]) >= REQUIRED_FIELDS
