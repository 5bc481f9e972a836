"""The questionnaire as a FHIR R4 Questionnaire resource.

Sections become `group` items, follow-ups nest under their parent question, Bulgarian rides on
the standard translation extension, and "why we ask" becomes a help item, so any FHIR form
filler can render the same questionnaire our wizard does.
"""

from __future__ import annotations

from typing import Any

from ..questionnaire.model import Condition, I18n, Item, Questionnaire

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
MAX_LENGTH_TEXT = 2000


def _translations(text: I18n, base: str) -> dict[str, Any] | None:
    extensions = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": lang},
                {"url": "content", "valueString": value},
            ],
        }
        for lang, value in text.items()
        if lang != base
    ]
    return {"extension": extensions} if extensions else None


def _text_fields(name: str, text: I18n, base: str) -> dict[str, Any]:
    fields: dict[str, Any] = {name: text.get_text(base)}
    ext = _translations(text, base)
    if ext:
        fields[f"_{name}"] = ext
    return fields


def _enable_when(condition: Condition) -> list[dict[str, Any]]:
    if condition.operator == "exists":
        return [
            {
                "question": condition.question,
                "operator": "exists",
                "answerBoolean": bool(condition.answer),
            }
        ]
    answers = condition.answer if isinstance(condition.answer, tuple) else (condition.answer,)
    return [
        {
            "question": condition.question,
            "operator": condition.operator,
            "answerCoding": {"code": str(code)},
        }
        for code in answers
    ]


def _behavior(item: Item) -> str:
    """FHIR has no nesting: "any of these codes" becomes several `=` conditions joined by
    `any`, "none of these codes" several `!=` joined by `all`. The loader refuses data where
    that would clash with the item's own enableBehavior, so either gives the same meaning."""
    multi = [c for c in item.enable_when if isinstance(c.answer, tuple) and len(c.answer) > 1]
    if not multi:
        return item.enable_behavior
    return "all" if all(c.operator == "!=" for c in multi) else "any"


def _item(item: Item, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {"linkId": item.link_id}
    out.update(_text_fields("text", item.text, base))
    out["type"] = item.type
    if item.enable_when:
        conditions = [c for cond in item.enable_when for c in _enable_when(cond)]
        out["enableWhen"] = conditions
        if len(conditions) > 1:
            out["enableBehavior"] = _behavior(item)
    out["required"] = item.required
    out["repeats"] = item.repeats
    if item.type == "text":
        out["maxLength"] = item.max_length
    if item.options:
        out["answerOption"] = []
        for option in item.options:
            coding: dict[str, Any] = {"code": option.code}
            coding.update(_text_fields("display", option.label, base))
            out["answerOption"].append({"valueCoding": coding})
    children = []
    for help_text, suffix in ((item.hint, "hint"), (item.why, "why")):
        if help_text:
            child: dict[str, Any] = {"linkId": f"{item.link_id}.{suffix}"}
            child.update(_text_fields("text", help_text, base))
            child["type"] = "display"
            child["extension"] = [
                {
                    "url": ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]
                    },
                }
            ]
            children.append(child)
    children.extend(_item(child, base) for child in item.followups)
    if children:
        out["item"] = children
    return out


def to_fhir(questionnaire: Questionnaire, base: str = "en") -> dict[str, Any]:
    """Questionnaire resource as plain JSON-ready data."""
    q = questionnaire
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": q.id,
        "language": base,
        "url": q.url,
        "version": q.version,
        "name": "".join(part.capitalize() for part in q.id.split("-")),
    }
    resource.update(_text_fields("title", q.title, base))
    resource["status"] = q.status
    resource["date"] = q.date
    if q.description:
        resource.update(_text_fields("description", q.description, base))
    resource["item"] = []
    for section in q.sections:
        group: dict[str, Any] = {"linkId": section.id}
        group.update(_text_fields("text", section.title, base))
        group["type"] = "group"
        group["item"] = [_item(item, base) for item in section.items]
        resource["item"].append(group)
    return resource
