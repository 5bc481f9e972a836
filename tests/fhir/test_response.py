"""QuestionnaireResponse <-> answers: both nestings parse alike, every fault is reported with
its linkId, and nothing raises on bad input."""

from __future__ import annotations

import pytest

from screener.fhir.response import MAX_DEPTH, MAX_ITEMS, parse_response, to_response

ANSWERS = {
    "age_band": ["18_64"],
    "indication": ["other"],
    "indication.other": ["tinnitus"],
    "neurostimulator": ["yes"],
    "neurostimulator.kind": ["scs", "vns"],
    "medications": ["yes"],
    "medications.list": ["sertraline 50mg, Золофт"],
    "medications.recent_change": ["no"],
    "self_harm": ["no"],
}


def coding(code: str) -> dict:
    return {"valueCoding": {"code": code}}


def qr(items: list, **extra) -> dict:
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items, **extra}


def flat(answers: dict[str, list[str]], questionnaire) -> list[dict]:
    out = []
    for link_id, values in answers.items():
        item = questionnaire.items[link_id]
        if item.type == "choice":
            out.append({"linkId": link_id, "answer": [coding(v) for v in values]})
        else:
            out.append({"linkId": link_id, "answer": [{"valueString": v} for v in values]})
    return out


def test_to_response_parses_back_to_the_same_answers(registry, questionnaire):
    resource = to_response(questionnaire, ANSWERS)
    parsed = parse_response(resource, registry)
    assert parsed.errors == []
    assert parsed.answers == ANSWERS
    assert parsed.complete is True
    assert parsed.questionnaire is questionnaire


def test_to_response_nests_as_the_questionnaire_does(questionnaire):
    resource = to_response(questionnaire, ANSWERS, language="bg")
    devices = next(g for g in resource["item"] if g["linkId"] == "devices")
    (neuro,) = devices["item"]
    assert neuro["linkId"] == "neurostimulator"
    assert [i["linkId"] for i in neuro["answer"][0]["item"]] == ["neurostimulator.kind"]
    assert neuro["answer"][0]["valueCoding"]["display"] == "Да"
    assert resource["questionnaire"] == f"{questionnaire.url}|{questionnaire.version}"


def test_flat_and_nested_parse_alike(registry, questionnaire):
    nested = parse_response(to_response(questionnaire, ANSWERS), registry)
    flattened = parse_response(qr(flat(ANSWERS, questionnaire)), registry)
    assert flattened.errors == []
    assert flattened.answers == nested.answers


def test_follow_ups_as_children_of_the_item_also_parse(registry):
    items = [{"linkId": "neurostimulator", "answer": [coding("yes")],
              "item": [{"linkId": "neurostimulator.kind", "answer": [coding("dbs")]}]}]
    parsed = parse_response(qr(items), registry)
    assert parsed.errors == []
    assert parsed.answers == {"neurostimulator": ["yes"], "neurostimulator.kind": ["dbs"]}


@pytest.mark.parametrize(
    ("status", "complete"),
    [("completed", True), ("amended", True), ("in-progress", False), (None, True)],
)
def test_status_decides_whether_the_screening_is_complete(registry, status, complete):
    data = qr([])
    if status is None:
        del data["status"]
    else:
        data["status"] = status
    parsed = parse_response(data, registry)
    assert parsed.errors == []
    assert parsed.complete is complete


ERROR_ROWS = [
    ("not an object", [1, 2], [(None, "JSON object")]),
    ("wrong resourceType", {"resourceType": "Patient"}, [(None, "resourceType")]),
    ("unknown status", qr([], status="done"), [(None, "unknown status")]),
    ("status not a string", qr([], status=["completed"]), [(None, "unknown status")]),
    ("status an object", qr([], status={"a": 1}), [(None, "unknown status")]),
    ("unknown questionnaire", qr([], questionnaire="urn:other|1.0.0"),
     [(None, "unknown questionnaire")]),
    ("unknown version", qr([], questionnaire="urn:tms-screener:questionnaire:tms-safety|9.9.9"),
     [(None, "unknown questionnaire")]),
    ("questionnaire not a string", qr([], questionnaire=["x"]), [(None, "unknown questionnaire")]),
    ("item not a list", qr({"linkId": "shunt"}), [(None, "'item' must be a list")]),
    ("item not an object", qr(["shunt"]), [(None, "every item must be an object")]),
    ("linkId missing", qr([{"answer": [coding("yes")]}]), [(None, "string linkId")]),
    ("linkId not a string", qr([{"linkId": 7}]), [(None, "string linkId")]),
    ("unknown linkId", qr([{"linkId": "shunt.kind", "answer": [coding("yes")]}]),
     [("shunt.kind", "unknown linkId")]),
    ("valueString for a choice", qr([{"linkId": "shunt", "answer": [{"valueString": "yes"}]}]),
     [("shunt", "expected valueCoding")]),
    ("valueBoolean for a choice", qr([{"linkId": "shunt", "answer": [{"valueBoolean": True}]}]),
     [("shunt", "expected valueCoding")]),
    ("unknown code", qr([{"linkId": "shunt", "answer": [coding("maybe")]}]),
     [("shunt", "unknown code 'maybe'")]),
    ("code not a string", qr([{"linkId": "shunt", "answer": [{"valueCoding": {"code": 1}}]}]),
     [("shunt", "unknown code 1")]),
    ("coding not an object", qr([{"linkId": "shunt", "answer": [{"valueCoding": "yes"}]}]),
     [("shunt", "expected valueCoding")]),
    ("valueCoding for text", qr([{"linkId": "medications.list", "answer": [coding("x")]}]),
     [("medications.list", "expected valueString")]),
    ("two value[x]", qr([{"linkId": "shunt", "answer": [{**coding("yes"), "valueString": "y"}]}]),
     [("shunt", "exactly one value[x]")]),
    ("no value[x]", qr([{"linkId": "shunt", "answer": [{}]}]), [("shunt", "exactly one value")]),
    ("answer not a list", qr([{"linkId": "shunt", "answer": coding("yes")}]),
     [("shunt", "'answer' must be a list")]),
    ("answer not an object", qr([{"linkId": "shunt", "answer": ["yes"]}]),
     [("shunt", "every answer must be an object")]),
    ("two answers, not repeating", qr([{"linkId": "shunt", "answer": [coding("yes"),
                                                                        coding("no")]}]),
     [("shunt", "only one answer")]),
    ("answered twice", qr([{"linkId": "shunt", "answer": [coding("yes")]},
                           {"linkId": "shunt", "answer": [coding("no")]}]),
     [("shunt", "more than once")]),
    ("text too long", qr([{"linkId": "medications.list", "answer": [{"valueString": "x" * 2001}]}]),
     [("medications.list", "longer than 2000")]),
    ("answer to a section", qr([{"linkId": "devices", "answer": [coding("yes")]}]),
     [("devices", "section group has no answer")]),
    ("answer.item not a list", qr([{"linkId": "shunt", "answer": [{**coding("yes"), "item": {}}]}]),
     [("shunt", "'answer.item' must be a list")]),
    ("several faults at once", qr([
        {"linkId": "nope"},
        {"linkId": "shunt", "answer": [{"valueString": "yes"}]},
        {"linkId": "hearing", "answer": [coding("loud")]},
    ]), [("nope", "unknown linkId"), ("shunt", "expected valueCoding"),
         ("hearing", "unknown code")]),
]


@pytest.mark.parametrize(
    ("data", "expected"), [pytest.param(*row[1:], id=row[0]) for row in ERROR_ROWS]
)
def test_every_fault_is_reported_with_its_link_id(registry, data, expected):
    errors = parse_response(data, registry).errors
    assert len(errors) == len(expected), errors
    for error, (link_id, words) in zip(errors, expected, strict=True):
        assert error["linkId"] == link_id
        assert words in error["detail"]


def test_deep_nesting_is_refused_not_recursed(registry):
    node: dict = {"linkId": "devices", "item": []}
    data = qr([node])
    for _ in range(MAX_DEPTH + 5):
        child = {"linkId": "devices", "item": []}
        node["item"].append(child)
        node = child
    errors = parse_response(data, registry).errors
    assert [e["detail"] for e in errors] == ["items are nested too deeply"]


def test_too_many_items_are_refused(registry):
    data = qr([{"linkId": "devices"}] * (MAX_ITEMS + 10))
    errors = parse_response(data, registry).errors
    assert any(f"more than {MAX_ITEMS} items" in e["detail"] for e in errors)


def test_the_error_list_is_bounded(registry):
    data = qr([{"linkId": f"junk{i}"} for i in range(1000)])
    assert len(parse_response(data, registry).errors) == 200
