"""Finding seizure-threshold drugs in the medicine list a patient typed, in both scripts.

Each row is what a patient might type and the drug ids expected, in the order typed. The drug
list is the shipped one; the drugs come from the clinical reference's table (S2).
"""

from __future__ import annotations

import pytest

from screener.medications import find_drugs

FOUND = [
    # generic names, doses, release forms, glued units
    ("Bupropion XL 150mg", ["bupropion"]),
    ("sertraline50mg", ["sertraline"]),
    ("SERTRALINE", ["sertraline"]),
    ("sertraline-50mg", ["sertraline"]),
    ("venlafaxine ER 75mg", ["venlafaxine"]),
    ("amitriptyline 10mg nightly", ["amitriptyline"]),
    ("alprazolam 0,25 mg", ["alprazolam"]),
    ("Lithium carbonate 400mg", ["lithium"]),
    ("clozapine 100 mg twice a day", ["clozapine"]),
    ("theophylline SR", ["theophylline"]),
    # brands
    ("Wellbutrin", ["bupropion"]),
    ("Zoloft 100 mg", ["sertraline"]),
    ("Prozac", ["fluoxetine"]),
    ("Effexor-XR", ["venlafaxine"]),
    ("Cymbalta 60", ["duloxetine"]),
    ("Seroquel 25 mg at night", ["quetiapine"]),
    ("Abilify", ["aripiprazole"]),
    ("Xanax 0.5", ["alprazolam"]),
    ("Adderall XR", ["amphetamine"]),
    ("Concerta 36mg", ["methylphenidate"]),
    ("Spravato nasal spray", ["esketamine"]),
    ("Augmentin 875/125", ["amoxicillin"]),
    # one-letter typos (missing, extra or wrong letter)
    ("fluoxetin", ["fluoxetine"]),
    ("setraline", ["sertraline"]),
    ("sertrraline", ["sertraline"]),
    ("olanzepine", ["olanzapine"]),
    ("Wellbutin", ["bupropion"]),
    ("Seroqel", ["quetiapine"]),
    # Cyrillic: generic names and brands
    ("бупропион", ["bupropion"]),
    ("Велбутрин", ["bupropion"]),
    ("Золофт", ["sertraline"]),
    ("кветиапин 25мг", ["quetiapine"]),
    ("литий", ["lithium"]),
    ("литиев карбонат 300 мг", ["lithium"]),
    ("пароксетин 20мг", ["paroxetine"]),
    ("Ципралекс 10мг", ["escitalopram"]),
    ("амитриптилин", ["amitriptyline"]),
    ("ксанакс", ["alprazolam"]),
    ("Ривотрил", ["clonazepam"]),
    ("Валокордин капки", ["phenobarbital"]),
    ("сертралим", ["sertraline"]),
    # punctuation and mixed lists, in the order typed, one match per drug
    ("Lamotrigine 100mg, sertraline 50mg, vitamin D", ["sertraline"]),
    ("clozapine; olanzapine/fluoxetine", ["clozapine", "olanzapine", "fluoxetine"]),
    ("sertraline 50mg\nbupropion 150mg\nvitamin D", ["sertraline", "bupropion"]),
    ("Sertraline (Zoloft) 50mg", ["sertraline"]),
    ("Escitalopram/Lexapro 10mg", ["escitalopram"]),
    ("wellbutrin, zoloft, xanax", ["bupropion", "sertraline", "alprazolam"]),
    ("metformin 500; Золофт 50; ramipril", ["sertraline"]),
    ("fluoxetine 20mg; sertaline", ["fluoxetine", "sertraline"]),
    ("alcohol", ["alcohol"]),
    ("MDMA at weekends", ["mdma"]),
]

NOTHING = [
    "levothyroxine, vitamin D",
    "metformin 500, ramipril 5mg",
    "парацетамол",
    "no alcohol",
    "без алкохол",
    "ibuprofen 400",
    "omeprazole 20mg",
    "atorvastatin 20 mg",
    "Euthyrox 50",
    "Концор 5 мг",
    "витамин D3, магнезий",
    "lamotrigine 100, Keppra",
    "melatonin 3 mg",
    "cetirizine as needed",
    "neural",
    "XL mg",
    "",
    "none",
]


@pytest.mark.parametrize(("typed", "expected"), [pytest.param(t, e, id=t) for t, e in FOUND])
def test_listed_drugs_are_found(questionnaire, typed, expected):
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, typed)] == expected


@pytest.mark.parametrize("typed", [pytest.param(t, id=t or "empty") for t in NOTHING])
def test_other_medicines_and_negations_find_nothing(questionnaire, typed):
    assert find_drugs(questionnaire.drugs, typed) == []


def test_enough_cases_in_both_scripts():
    cyrillic = [t for t, _ in FOUND if any("а" <= ch.lower() <= "я" for ch in t)]
    assert len(FOUND) >= 30
    assert len(cyrillic) >= 10


def test_every_name_and_brand_in_the_list_finds_its_own_drug(questionnaire):
    missed = []
    for drug in questionnaire.drugs.drugs:
        for name in [n for group in drug.names.values() for n in group] + list(drug.brands):
            found = [m.drug.id for m in find_drugs(questionnaire.drugs, name)]
            if found != [drug.id]:
                missed.append((drug.id, name, found))
    assert missed == []


def test_the_reference_drug_table_is_covered(questionnaire):
    """Every drug the clinical reference names (S2) is in the list and found by name."""
    named = [
        "imipramine", "amitriptyline", "doxepin", "nortriptyline", "maprotiline",
        "chlorpromazine", "clozapine", "foscarnet", "ganciclovir", "ritonavir", "amphetamine",
        "cocaine", "MDMA", "phencyclidine", "ketamine", "GHB", "alcohol", "theophylline",
        "fluoxetine", "fluvoxamine", "paroxetine", "sertraline", "citalopram", "venlafaxine",
        "duloxetine", "bupropion", "mirtazapine", "mianserin", "reboxetine", "haloperidol",
        "olanzapine", "quetiapine", "risperidone", "aripiprazole", "ziprasidone", "pimozide",
        "fluphenazine", "lithium", "chloroquine", "mefloquine", "imipenem", "penicillin",
        "metronidazole", "isoniazid", "levofloxacin", "cyclosporin", "phenobarbital",
        "meprobamate", "chloral",
    ]
    missing = [n for n in named if not find_drugs(questionnaire.drugs, n)]
    assert missing == []


@pytest.mark.parametrize(
    ("typed", "risk"),
    [("clozapine", "strong"), ("sertraline", "relative"), ("diazepam", "withdrawal")],
)
def test_a_match_carries_its_risk(questionnaire, typed, risk):
    (match,) = find_drugs(questionnaire.drugs, typed)
    assert match.risk == risk
    assert match.typed == typed
