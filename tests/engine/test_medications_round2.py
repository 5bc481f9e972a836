"""Drug list 1.1.0 (clinical reference, round 2): brands as Bulgarian patients write them, and
a just-stopped drug read as a risk, not a negation.

The brand table is built from the drug list itself: every brand written in Cyrillic, and every
Latin brand spelled in Cyrillic the way Bulgarian packs do it, each bare, with a dose, with a
"1x1" schedule and with a typo. A brand added to the file is tested the moment it is added.
"""

from __future__ import annotations

import re

import pytest

from screener.engine.medications import find_drugs
from screener.engine.rules import evaluate

CYRILLIC = re.compile(r"[\u0400-\u04ff]")

_TO_CYRILLIC = [
    ("sch", "ш"), ("ch", "х"), ("ph", "ф"), ("th", "т"), ("sh", "ш"), ("zh", "ж"), ("kh", "х"),
    ("qu", "кв"), ("ck", "к"), ("x", "кс"), ("ce", "це"), ("ci", "ци"), ("cy", "ци"),
    ("ya", "я"), ("yu", "ю"), ("ia", "ия"),
]
_LETTERS = dict(zip("abcdefghijklmnopqrstuvwyz", "абкдефгхийклмнопкрстуввиз", strict=True))


def pharmacy_spelling(brand: str) -> str:
    """A Latin brand as a Bulgarian pack spells it: Xanax -> Ксанакс, Cymbalta -> Цимбалта,
    Seroquel -> Сероквел, Wellbutrin -> Уелбутрин or Велбутрин (here: в)."""
    word = brand.lower()
    out, i = [], 0
    while i < len(word):
        for latin, cyr in _TO_CYRILLIC:
            if word.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(_LETTERS.get(word[i], word[i]))
            i += 1
    spelled = "".join(out)
    spelled = re.sub(r"(.)\1+", r"\1", spelled)  # Effexor -> Ефексор
    return spelled[:1].upper() + spelled[1:]


def typo(word: str) -> str:
    """One letter left out in the middle (the commonest slip), unless that writes "тс", which
    reads as "ц" (Цитосар -> Цитсар would be two edits away, not one): then the next one."""
    middle = len(word) // 2
    if (word[middle - 1 : middle] + word[middle + 1 : middle + 2]).lower() == "тс":
        middle += 1
    return word[:middle] + word[middle + 1 :]


@pytest.fixture(scope="module")
def q(registry):
    q = registry.get("1.1.0")
    assert q.drugs.version == "1.1.0" and q.drugs.script_symmetric
    return q


def _listed_under(drugs) -> dict[str, list[str]]:
    listed: dict[str, list[str]] = {}
    for drug in drugs.drugs:
        for brand in drug.brands:
            ids = listed.setdefault(brand.lower(), [])
            if drug.id not in ids:
                ids.append(drug.id)
    return listed


def _brand_rows(registry) -> list[tuple[str, list[str]]]:
    drugs = registry.get("1.1.0").drugs
    listed = _listed_under(drugs)
    rows = []
    for drug in drugs.drugs:
        for brand in drug.brands:
            if " " in brand or "-" in brand:
                continue
            spelled = brand if CYRILLIC.search(brand) else pharmacy_spelling(brand)
            expected = listed[brand.lower()]
            rows += [
                (spelled, expected),
                (f"{spelled} 10 мг 1х1", expected),
                (f"{spelled.lower()} 0,5мг 2x1 вечер", expected),
            ]
            if len(brand) >= 7:
                rows.append((typo(spelled), expected))
    return rows


def test_the_cyrillic_brand_table_is_large_and_from_the_list(registry):
    rows = _brand_rows(registry)
    cyrillic = {t for t, _ in rows if CYRILLIC.search(t)}
    assert len(cyrillic) >= 60 * 3


def test_every_brand_matches_in_cyrillic_with_doses_schedules_and_typos(registry, q):
    missed = []
    for typed, expected in _brand_rows(registry):
        found = [m.drug.id for m in find_drugs(q.drugs, typed)]
        if found != expected:
            missed.append((typed, expected, found))
    assert missed == []


def test_the_same_typo_is_forgiven_in_both_scripts(q):
    """"Zolof" and "Золоф" alike; "Xanex" and "Ксанекс" alike: one allowance for both."""
    for latin, cyrillic, drug in [
        ("Zolof", "Золоф", "sertraline"), ("Xanex", "Ксанекс", "alprazolam"),
        ("Zirtek", "Зиртк", "cetirizine"), ("Cymbata", "Симбата", "duloxetine"),
        ("Rivotrl", "Ривотрл", "clonazepam"), ("Seroquell", "Сероквелл", "quetiapine"),
    ]:
        assert [m.drug.id for m in find_drugs(q.drugs, latin)] == [drug], latin
        assert [m.drug.id for m in find_drugs(q.drugs, cyrillic)] == [drug], cyrillic


@pytest.mark.parametrize(
    ("typed", "drug"),
    [
        ("Cymbalta 60", "duloxetine"), ("Симбалта 60", "duloxetine"), ("Цимбалта", "duloxetine"),
        ("Ципралекс 10мг 1х1", "escitalopram"), ("Сипралекс", "escitalopram"),
        ("Хелекс 0,25", "alprazolam"), ("Helex 0.5", "alprazolam"),
        ("Уелбутрин", "bupropion"), ("Велбутрин", "bupropion"), ("Ефексор", "venlafaxine"),
        ("Сероквел 25", "quetiapine"), ("Абилифай 10", "aripiprazole"),
        ("Зипрекса", "olanzapine"), ("Ксизал", "levocetirizine"), ("Фенерган", "promethazine"),
        ("Теотард 200", "theophylline"), ("Еуфилин", "aminophylline"),
        ("Супрастин 25 мг", "chloropyramine"), ("Тавегил", "clemastine"),
        ("Фенистил капки", "dimetindene"), ("Залдиар", "tramadol"), ("Трамадол", "tramadol"),
        ("Ципринол 500", "ciprofloxacin"), ("Авелокс", "moxifloxacin"),
        ("Хиконцил", "amoxicillin"), ("Ламиктал 100", "lamotrigine"), ("Депакин", "valproate"),
        ("Тегретол", "carbamazepine"), ("Кепра 500", "levetiracetam"), ("Лирика 75", "pregabalin"),
    ],
)
def test_brands_as_bulgarian_pharmacies_spell_them(q, typed, drug):
    assert [m.drug.id for m in find_drugs(q.drugs, typed)] == [drug]


# ---- just stopped: a risk, not a negation ------------------------------------------------------

STOPPED = [
    # (typed, drug said to be stopped): withdrawal-risk drugs are never dropped
    ("вече не пия Ксанакс", "alprazolam"),
    ("no Xanax since Monday", "alprazolam"),
    ("не вземам Ривотрил от 3 дни", "clonazepam"),
    ("no longer taking Xanax", "alprazolam"),
    ("Xanax: not anymore", "alprazolam"),
    ("stopped Xanax last week", "alprazolam"),
    ("спрях Ксанакса преди седмица", "alprazolam"),
    ("Ксанакс - спрян", "alprazolam"),
    ("не пия вече ривотрил", "clonazepam"),
    ("без ксанакс от понеделник", "alprazolam"),
    ("diazepam - stopped", "diazepam"),
    ("quit diazepam 5 days ago", "diazepam"),
    ("not taking Stilnox any more", "zolpidem"),
    ("спрях Стилнокс", "zolpidem"),
    ("Lamictal - stopped last week", "lamotrigine"),
    ("спрях Депакин", "valproate"),
    ("не приемам Тегретол от 5 дни", "carbamazepine"),
    ("no Keppra since Friday", "levetiracetam"),
    ("прекъснах Лирика", "pregabalin"),
    ("Валокордин вече не пия", "phenobarbital"),
    ("stopped drinking alcohol last week", "alcohol"),
    ("спрях алкохола преди 3 дни", "alcohol"),
    ("вече не пия алкохол", "alcohol"),
    ("no alcohol anymore", "alcohol"),
]


@pytest.mark.parametrize(("typed", "drug"), STOPPED, ids=[t for t, _ in STOPPED])
def test_a_stopped_withdrawal_drug_is_kept_as_stopped(q, typed, drug):
    found = find_drugs(q.drugs, typed)
    assert [(m.drug.id, m.stopped) for m in found] == [(drug, True)]


def test_the_withdrawal_table_covers_both_scripts_and_phrasings():
    cyrillic = [t for t, _ in STOPPED if CYRILLIC.search(t)]
    assert len(STOPPED) >= 20 and len(cyrillic) >= 10 and len(STOPPED) - len(cyrillic) >= 10
    assert any(t.startswith(("no ", "не ", "без ")) for t, _ in STOPPED)
    assert any("stopped" in t or "спрях" in t for t, _ in STOPPED)


NEGATED = [
    # a plain "no" of any other drug still drops it; "no alcohol" is a plain no
    "no sertraline", "не пия Золофт", "без ципралекс", "Alcohol: no", "не пия алкохол",
    "no alcohol", "алкохол - не", "allergic to diazepam", "алергия към Лирика",
]


@pytest.mark.parametrize("typed", NEGATED)
def test_a_negation_of_other_drugs_or_an_allergy_still_drops_them(q, typed):
    assert find_drugs(q.drugs, typed) == []


def test_taken_and_stopped_drugs_in_one_list(q):
    found = find_drugs(q.drugs, "Золофт 50 мг\nвече не пия Ксанакс\nАлкохол: не")
    assert [(m.drug.id, m.stopped) for m in found] == [("sertraline", False), ("alprazolam", True)]


def test_released_list_still_drops_a_negated_benzodiazepine(registry):
    """1.0.0 is judged as released: "no Xanax since Monday" was a plain no there."""
    assert find_drugs(registry.get("1.0.1").drugs, "no Xanax since Monday") == []


def _medicines(q, text: str, stopped_text: str | None = None) -> dict[str, list[str]]:
    answers = {"medications": ["yes"], "medications.list": [text]}
    if stopped_text is not None:
        answers |= {"medications_stopped": ["yes"], "medications_stopped.list": [stopped_text]}
    return answers


def test_a_stopped_drug_raises_a_caution_that_says_withdrawal(q):
    answers = _medicines(q, "Золофт 50\nвече не пия Ксанакс")
    ev = evaluate(q, answers, complete=False)
    drugs = [f for f in ev.flags if f.link_id == "medications.list"]
    assert [(f.kind, f.level) for f in drugs] == [
        ("drugs", "caution"), ("stopped_drugs", "caution")
    ]
    assert "Recently stopped: withdrawal risk" in drugs[1].clinician["en"]
    assert "alprazolam" in drugs[1].clinician["en"] and "алпразолам" in drugs[1].clinician["bg"]


def test_the_stopped_list_names_each_withdrawal_drug(q):
    answers = {"medications": ["no"], "medications_stopped": ["yes"],
               "medications_stopped.list": ["Ксанакс и Золофт, преди 2 седмици"]}
    ev = evaluate(q, answers, complete=False)
    listed = [f for f in ev.flags if f.link_id == "medications_stopped.list"]
    assert [(f.kind, f.level, [m.drug.id for m in f.drugs]) for f in listed] == [
        ("stopped_drugs", "caution", ["alprazolam"])
    ]


HARMLESS = [
    "levothyroxine 50 mcg", "Euthyrox 50", "Еутирокс 75", "левотироксин", "vitamin D3",
    "витамин D, магнезий", "the pill", "contraceptive pill", "противозачатъчни хапчета",
    "Yasmin", "Ясмин", "omeprazole 20 mg", "омепразол 20мг", "Контролок", "paracetamol 500",
    "парацетамол при нужда", "Панадол", "Аналгин", "ibuprofen", "Нурофен",
    "Levothyroxine 100mcg\nVitamin D 1000 IU\nOmeprazole 20mg\nParacetamol as needed",
    "Еутирокс 50\nВитамин Д\nОмепразол\nПарацетамол 1х1",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_lists_are_never_above_a_note(q, text):
    ev = evaluate(q, _medicines(q, text), complete=False)
    assert ev.outcome in ("note", "none"), [(f.link_id, f.level) for f in ev.flags]
