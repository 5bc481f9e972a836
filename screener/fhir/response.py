"""QuestionnaireResponse <-> our answers (linkId -> list of codes or texts).

Clinics' systems send responses in either shape FHIR allows: follow-ups nested inside
`answer[].item` (and questions inside section groups), or everything flat at the top. Parsing
walks any nesting, checks every linkId, type and code, and reports every fault at once, with
its linkId, so an integrator fixes a payload in one round trip. Nothing here may raise on bad
input: the API's promise is a 4xx, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..questionnaire.loader import Registry
from ..questionnaire.model import Questionnaire

MAX_DEPTH = 12
MAX_ITEMS = 2000
COMPLETE_STATUSES = {"completed", "amended"}
KNOWN_STATUSES = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}


@dataclass
class ParsedResponse:
    questionnaire: Questionnaire | None
    answers: dict[str, list[str]] = field(default_factory=dict)
    complete: bool = True
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, link_id: str | None, detail: str) -> None:
        if len(self.errors) < 200:
            self.errors.append({"linkId": link_id, "detail": detail})


def parse_response(data: Any, registry: Registry) -> ParsedResponse:
    """Check a QuestionnaireResponse and collect its answers; see `errors` for what is wrong."""
    if not isinstance(data, dict):
        result = ParsedResponse(None)
        result.error(None, "the body must be a JSON object (a FHIR QuestionnaireResponse)")
        return result
    result = ParsedResponse(_pick_questionnaire(data, registry))
    if result.questionnaire is None:
        result.error(
            None,
            f"unknown questionnaire {data.get('questionnaire')!r}; "
            f"expected {registry.current.url}|{registry.current.version}",
        )
        return result
    if data.get("resourceType") != "QuestionnaireResponse":
        result.error(None, "resourceType must be 'QuestionnaireResponse'")
    status = data.get("status", "completed")
    if not isinstance(status, str) or status not in KNOWN_STATUSES:
        result.error(None, f"unknown status {status!r}")
        status = None  # a list or object here would make the set lookups below raise
    result.complete = status in COMPLETE_STATUSES
    items = data.get("item", [])
    if not isinstance(items, list):
        result.error(None, "'item' must be a list")
        return result
    _walk(items, result, depth=0, budget=[MAX_ITEMS])
    return result


def _pick_questionnaire(data: dict[str, Any], registry: Registry) -> Questionnaire | None:
    canonical = data.get("questionnaire")
    if canonical is None:
        return registry.current
    if not isinstance(canonical, str):
        return None
    url, _, version = canonical.partition("|")
    if url != registry.current.url:
        return None
    return registry.get(version) if version else registry.current


def _walk(items: list[Any], result: ParsedResponse, depth: int, budget: list[int]) -> None:
    q = result.questionnaire
    assert q is not None
    if depth > MAX_DEPTH:
        result.error(None, "items are nested too deeply")
        return
    section_ids = q.section_ids
    for raw in items:
        budget[0] -= 1
        if budget[0] < 0:
            result.error(None, f"more than {MAX_ITEMS} items")
            return
        if not isinstance(raw, dict):
            result.error(None, "every item must be an object")
            continue
        link_id = raw.get("linkId")
        if not isinstance(link_id, str):
            result.error(None, "every item needs a string linkId")
            continue
        children = raw.get("item", [])
        if not isinstance(children, list):
            result.error(link_id, "'item' must be a list")
            children = []
        if link_id in section_ids:
            if raw.get("answer"):
                result.error(link_id, "a section group has no answer")
            _walk(children, result, depth + 1, budget)
            continue
        item = q.items.get(link_id)
        if item is None:
            result.error(link_id, "unknown linkId")
            continue
        _read_answers(raw, item, result, depth, budget)
        _walk(children, result, depth + 1, budget)


def _read_answers(raw: dict[str, Any], item, result: ParsedResponse, depth: int, budget) -> None:
    link_id = item.link_id
    answers = raw.get("answer", [])
    if not isinstance(answers, list):
        result.error(link_id, "'answer' must be a list")
        return
    twice = link_id in result.answers
    if twice:  # still checked below, so that every fault of the payload is listed at once
        result.error(link_id, "answered more than once")
    if len(answers) > 1 and not item.repeats:
        result.error(link_id, "only one answer is allowed")
    values: list[str] = []
    for answer in answers:
        if not isinstance(answer, dict):
            result.error(link_id, "every answer must be an object")
            continue
        value = _value(answer, item, result)
        if value is not None and value not in values:
            values.append(value)
        nested = answer.get("item", [])
        if isinstance(nested, list):
            _walk(nested, result, depth + 1, budget)
        else:
            result.error(link_id, "'answer.item' must be a list")
    if values and not twice:
        result.answers[link_id] = values


def _value(answer: dict[str, Any], item, result: ParsedResponse) -> str | None:
    link_id = item.link_id
    value_keys = [k for k in answer if k.startswith("value")]
    if len(value_keys) != 1:
        result.error(link_id, "each answer needs exactly one value[x]")
        return None
    key = value_keys[0]
    if item.type == "choice":
        coding = answer[key]
        if key != "valueCoding" or not isinstance(coding, dict):
            result.error(link_id, f"expected valueCoding, got {key}")
            return None
        code = coding.get("code")
        if not isinstance(code, str) or code not in item.codes:
            allowed = "|".join(o.code for o in item.options)
            result.error(link_id, f"unknown code {code!r}; expected one of {allowed}")
            return None
        return code
    text = answer[key]
    if key != "valueString" or not isinstance(text, str):
        result.error(link_id, f"expected valueString, got {key}")
        return None
    if len(text) > item.max_length:
        result.error(link_id, f"text longer than {item.max_length} characters")
        return None
    return text


def to_response(
    questionnaire: Questionnaire,
    answers: dict[str, list[str]],
    *,
    complete: bool = True,
    authored: datetime | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """A QuestionnaireResponse nested as the Questionnaire defines (groups, answer.item)."""

    def item_json(item) -> dict[str, Any] | None:
        values = answers.get(item.link_id)
        if not values:
            return None
        out: dict[str, Any] = {"linkId": item.link_id, "text": item.text.get_text(language)}
        nested = [j for child in item.followups if (j := item_json(child))]
        out["answer"] = []
        for value in values:
            if item.type == "choice":
                option = item.option(value)
                display = option.label.get_text(language) if option else value
                out["answer"].append({"valueCoding": {"code": value, "display": display}})
            else:
                out["answer"].append({"valueString": value})
        if nested:
            out["answer"][0]["item"] = nested
        return out

    groups = []
    for section in questionnaire.sections:
        children = [j for item in section.items if (j := item_json(item))]
        if children:
            groups.append(
                {"linkId": section.id, "text": section.title.get_text(language), "item": children}
            )
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "language": language,
        "questionnaire": f"{questionnaire.url}|{questionnaire.version}",
        "status": "completed" if complete else "in-progress",
    }
    if authored is not None:
        resource["authored"] = authored.isoformat()
    resource["item"] = groups
    return resource
