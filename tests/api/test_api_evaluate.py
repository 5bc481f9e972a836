"""POST /api/v1/evaluate: a clinic's system sends a QuestionnaireResponse, gets outcome and flags.

Real app, real client; the engine's results are compared with `evaluate()` in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.engine.rules import evaluate
from screener.fhir.response import to_response
from screener.questionnaire.loader import load_registry
from tests.engine.test_rules_1_1_0 import BASELINE, REFERENCE_LEVELS

URL = "/api/v1/evaluate"

SCREENING = {
    **BASELINE,
    "neurostimulator": ["yes"],
    "neurostimulator.kind": ["scs"],
    "seizure_history": ["yes"],
    "seizure_history.last": ["over_12_months"],
    "seizure_history.medication": ["yes"],
    "medications": ["yes"],
    "medications.list": ["Bupropion XL 150mg, levothyroxine"],
    "medications.recent_change": ["no"],
    "prior_mri": ["yes"],
    "prior_mri.problems": ["no"],
}


def post(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/fhir+json", headers=headers)


def coding(code):
    return {"valueCoding": {"code": code}}


def answer_json(item, value):
    return coding(value) if item.type == "choice" else {"valueString": value}


def flat_response(questionnaire, answers, status="completed"):
    return {
        "resourceType": "QuestionnaireResponse",
        "status": status,
        "item": [
            {"linkId": link_id, "answer": [answer_json(questionnaire.items[link_id], v)
                                           for v in values]}
            for link_id, values in answers.items()
        ],
    }


def summary(body):
    return body["outcome"], [(f["linkId"], f["level"]) for f in body["flags"]]


def test_nested_and_flat_give_the_same_result(client, questionnaire):
    nested = post(client, to_response(questionnaire, SCREENING))
    flat = post(client, flat_response(questionnaire, SCREENING))
    assert nested.status_code == flat.status_code == 200
    assert nested.get_json() == flat.get_json()
    outcome, flags = summary(nested.get_json())
    assert outcome == "caution"
    assert ("neurostimulator.kind", "caution") in flags
    assert ("medications.list", "caution") in flags


def test_answers_inside_section_groups_without_answer_nesting(client, questionnaire):
    """Follow-ups as sibling items inside the section group (a third valid shape)."""
    by_section: dict[str, list] = {}
    for link_id, values in SCREENING.items():
        item = questionnaire.items[link_id]
        by_section.setdefault(item.section, []).append(
            {"linkId": link_id, "answer": [answer_json(item, v) for v in values]}
        )
    grouped = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": s, "item": items} for s, items in by_section.items()],
    }
    assert post(client, grouped).get_json() == post(
        client, flat_response(questionnaire, SCREENING)
    ).get_json()


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(SCREENING, id="full"),
        pytest.param(BASELINE, id="baseline"),
        pytest.param({**BASELINE, "self_harm": ["unsure"], "shunt": ["yes"]}, id="urgent"),
        pytest.param({**BASELINE, "neurostimulator": ["no"], "neurostimulator.kind": ["dbs"]},
                     id="dropped"),
        pytest.param({"cochlear_implant": ["yes"]}, id="mostly-unanswered"),
    ],
)
def test_round_trip_matches_the_engine_in_process(client, questionnaire, answers):
    expected = evaluate(questionnaire, answers)
    response = post(client, to_response(questionnaire, answers))
    assert response.status_code == 200
    body = response.get_json()
    assert body["outcome"] == expected.outcome
    assert [(f["linkId"], f["level"]) for f in body["flags"]] == [
        (f.link_id, f.level) for f in expected.flags
    ]
    assert body["dropped"] == list(expected.dropped)
    assert body["questionnaire"] == {"url": questionnaire.url, "version": questionnaire.version}


def test_flags_carry_texts_and_sources(client, questionnaire):
    body = post(client, to_response(questionnaire, SCREENING)).get_json()
    for flag in body["flags"]:
        assert flag["patient_text"] and flag["clinician_text"] and flag["sources"]


def test_accept_language_bg_gives_bulgarian(client, questionnaire):
    answers = {**BASELINE, "shunt": ["yes"]}
    english = post(client, to_response(questionnaire, answers)).get_json()
    bulgarian = post(
        client, to_response(questionnaire, answers), **{"Accept-Language": "bg-BG,bg;q=0.9"}
    ).get_json()
    assert summary(english) == summary(bulgarian)
    assert bulgarian["flags"][0]["clinician_text"] == (
        questionnaire.items["shunt"].flags[0].clinician["bg"]
    )
    assert bulgarian["outcome_text"] == questionnaire.levels["contraindication"].patient["bg"]
    assert english["outcome_text"] == questionnaire.levels["contraindication"].patient["en"]


def test_no_flags_is_not_a_clearance_in_either_language(client, questionnaire):
    for lang, words in (("en", "not a clearance"), ("bg", "не е разрешение")):
        body = post(
            client, to_response(questionnaire, BASELINE), **{"Accept-Language": lang}
        ).get_json()
        assert body["outcome"] == "none"
        assert body["flags"] == []
        assert words in body["outcome_text"]


def test_in_progress_does_not_flag_unanswered_items(client, questionnaire):
    partial = {"cochlear_implant": ["no"], "hearing": ["yes"]}
    in_progress = post(client, flat_response(questionnaire, partial, status="in-progress"))
    completed = post(client, flat_response(questionnaire, partial))
    assert summary(in_progress.get_json()) == ("caution", [("hearing", "caution")])
    levels = summary(completed.get_json())[1]
    assert len(levels) == len(REFERENCE_LEVELS) - 1  # hearing, and every safety item unanswered


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{", b"\xff\xfe", b"", b'{"a": 1,}', b"[" * 100_000],
    ids=["text", "truncated", "not-utf8", "empty", "trailing-comma", "deep"],
)
def test_a_body_that_is_not_json_is_a_400_problem(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 400


def test_a_body_over_256_kib_is_a_413_problem(client):
    body = json.dumps({"resourceType": "QuestionnaireResponse", "pad": "x" * (256 * 1024)})
    response = post(client, body)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_body_just_under_the_limit_is_read(client):
    body = json.dumps({"resourceType": "QuestionnaireResponse", "pad": "x" * (250 * 1024)})
    assert post(client, body).status_code == 200


def test_invalid_responses_are_a_422_listing_every_error(client):
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {"linkId": "no_such_item", "answer": [coding("yes")]},
            {"linkId": "shunt", "answer": [{"valueString": "yes"}]},
            {"linkId": "hearing", "answer": [coding("sometimes")]},
            {"linkId": "devices", "item": [{"linkId": "pacemaker", "answer": [coding("yes")]}]},
        ],
    }
    response = post(client, body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422
    assert [e["linkId"] for e in problem["errors"]] == [
        "no_such_item",
        "shunt",
        "hearing",
        "pacemaker",
    ]
    assert "unknown linkId" in problem["errors"][0]["detail"]
    assert "valueCoding" in problem["errors"][1]["detail"]
    assert "sometimes" in problem["errors"][2]["detail"]


def test_an_item_answered_twice_still_has_its_answers_checked(client):
    body = {"resourceType": "QuestionnaireResponse", "status": "in-progress",
            "item": [{"linkId": "shunt", "answer": [coding("no")]},
                     {"linkId": "shunt", "answer": [coding("perhaps")]}]}
    errors = post(client, body).get_json()["errors"]
    assert [e["linkId"] for e in errors] == ["shunt", "shunt"]
    assert "more than once" in errors[0]["detail"] and "perhaps" in errors[1]["detail"]


def test_a_byte_order_mark_is_tolerated(client, questionnaire):
    body = json.dumps(flat_response(questionnaire, BASELINE)).encode("utf-8-sig")
    response = post(client, body)
    assert response.status_code == 200 and response.get_json()["outcome"] == "none"


def test_an_enormous_number_is_a_wrong_type_not_unreadable_json(client):
    body = '{"resourceType": "QuestionnaireResponse", "item": [{"linkId": "shunt", ' \
           '"answer": [{"valueCoding": {"code": ' + "9" * 5000 + '}}]}]}'
    response = post(client, body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["linkId"] == "shunt"


def test_unknown_questionnaire_version_is_a_422(client):
    body = {"resourceType": "QuestionnaireResponse",
            "questionnaire": "urn:tms-screener:questionnaire:tms-safety|0.1.0", "item": []}
    response = post(client, body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_only_post_is_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


# ---- no input makes it fail: random JSON and random response-like structures -----------------

_Q = load_registry(str(Path(__file__).resolve().parents[2] / "questions")).current
LINK_IDS = sorted(_Q.items) + [s.id for s in _Q.sections] + [
    "", "junk", "shunt.kind", "ΩΩ", "a" * 300, "self_harm.", "devices.shunt",
]
CODES = [*sorted({o.code for item in _Q.items.values() for o in item.options}), "", "maybe", "YES"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(CODES)
)
any_json = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
huge_text = st.sampled_from([("x", 2001), ("бупропион ", 1500), ("Wellbutrin, ", 150)]).map(
    lambda pair: pair[0] * pair[1]
)
value_x = st.one_of(
    st.builds(lambda c: {"valueCoding": {"code": c}}, st.sampled_from(CODES) | any_json),
    st.builds(lambda s: {"valueString": s}, st.text(max_size=50) | huge_text | any_json),
    st.builds(lambda v: {"valueBoolean": v}, any_json),
    st.builds(lambda v: {"valueInteger": v}, any_json),
    st.builds(lambda v: {"valueCoding": v}, any_json),
    st.dictionaries(st.sampled_from(["valueCoding", "valueString", "valueDate", "item"]),
                    any_json, max_size=3),
    any_json,
)
items = st.deferred(
    lambda: st.fixed_dictionaries(
        {"linkId": st.sampled_from(LINK_IDS) | any_json},
        optional={
            "answer": st.lists(value_x | answer_with_items, max_size=3) | any_json,
            "item": st.lists(items, max_size=3) | any_json,
            "text": st.text(max_size=20),
        },
    )
)
answer_with_items = st.builds(
    lambda code, children: {"valueCoding": {"code": code}, "item": children},
    st.sampled_from(CODES),
    st.lists(items, max_size=3),
)
response_like = st.fixed_dictionaries(
    {},
    optional={
        "resourceType": st.sampled_from(["QuestionnaireResponse", "Questionnaire"]) | any_json,
        "status": st.sampled_from(["completed", "in-progress", "amended", "x"]) | any_json,
        "questionnaire": st.sampled_from(
            ["urn:tms-screener:questionnaire:tms-safety|1.0.0",
             "urn:tms-screener:questionnaire:tms-safety", "urn:x|1"]
        ) | any_json,
        "item": st.lists(items, max_size=6) | any_json,
    },
)


def _deep(depth: int) -> dict:
    node: dict = {"linkId": "devices"}
    root = node
    for _ in range(depth):
        child: dict = {"linkId": "shunt", "answer": [{"valueCoding": {"code": "yes"}}]}
        node["item"] = [child]
        node = child
    return {"resourceType": "QuestionnaireResponse", "item": [root]}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=response_like | any_json | st.integers(1, 400).map(_deep),
       lang=st.sampled_from(["en", "bg", "de", "*", "bg;q=x"]))
def test_no_input_gives_a_server_error(client, body, lang):
    response = post(client, body, **{"Accept-Language": lang})
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code != 200:
        assert response.mimetype == "application/problem+json"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_give_no_server_error(client, raw):
    assert post(client, raw).status_code < 500
