"""The OpenAPI document is true: it lists the JSON API only, and the server keeps to it.

Schemathesis generates requests from the document (valid and invalid ones) and runs every
check it has against the real server, as a visitor and as a signed-in member.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
# Enough to reach every parameter and answer; bounded so one engine's run stays well under 30 s.
EXAMPLES = 150
LIST_PARAMETERS = {"kind", "category", "answered", "before", "after"}
DOCUMENTED_ERRORS = {"400", "401", "404", "429"}


@pytest.fixture
def api_schema(server, author):
    """The document as the server publishes it, over a board with posts of every kind to find."""
    author.create_post(title="Open for all")
    author.create_post(title="For members", kind="testimony", visibility="members")
    author.create_post(title="Quiet one", anonymous="on", category="Grief and loss")
    return schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")


def test_api_keeps_to_its_openapi_document_for_visitors_and_members(api_schema, server, member):
    """Valid and invalid requests for every operation, each sent once without and once with a
    member's session cookie; every schemathesis check must pass on every answer."""
    member_cookies = dict(member.client.cookies)
    cases = st.one_of(api_schema.as_strategy(GenerationMode.POSITIVE), api_schema.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def keeps_to_the_document(case):
        for cookies in ({}, member_cookies):
            case.call_and_validate(base_url=server.url, cookies=cookies, checks=ALL_CHECKS)

    keeps_to_the_document()


def test_openapi_document_lists_only_the_json_api(visitor):
    paths = visitor.get("/schema/openapi.json").json()["paths"]
    assert paths and all(path.startswith("/api/v1/") for path in paths), sorted(paths)
    for page in ("/", "/login", "/register", "/mod", "/admin/settings", "/settings", "/posts/{post_id}"):
        assert page not in paths


def test_openapi_document_names_the_list_filters_and_error_answers(visitor):
    paths = visitor.get("/schema/openapi.json").json()["paths"]
    listing = paths["/api/v1/posts"]["get"]
    assert {p["name"] for p in listing["parameters"] if p["in"] == "query"} >= LIST_PARAMETERS
    assert DOCUMENTED_ERRORS - {"404"} <= set(listing["responses"])
    single = paths["/api/v1/posts/{post_id}"]["get"]
    assert DOCUMENTED_ERRORS - {"400"} <= set(single["responses"])
