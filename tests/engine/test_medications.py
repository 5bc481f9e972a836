"""Finding seizure-threshold drugs in the medicine list a patient typed, in both scripts.

Each row is what a patient might type and the drug ids expected, in the order typed. The drug
list is the shipped one; the drugs come from the clinical reference's table (S2).
"""

from __future__ import annotations

import pytest

from screener.engine.folding import ascii_lower, words
from screener.engine.medications import _TOKENS, find_drugs
from screener.questionnaire.loader import SCHEMA_DIR

DRUG_FILE = SCHEMA_DIR.parent / "seizure-threshold-drugs-1.0.0.yaml"

RELEASED = {"1.0.1": "1.0.0", "1.1.0": "1.1.0"}
"""Questionnaire version -> its drug list: every table here runs on each (1.0.0 must keep
matching as released; 1.1.0 adds drugs, brands and the spelling key)."""


@pytest.fixture(params=sorted(RELEASED), ids=lambda v: f"q{v}")
def questionnaire(request, registry):
    q = registry.get(request.param)
    assert q.drugs.version == RELEASED[request.param]
    return q


def _new_list(q) -> bool:
    return q.drugs.version >= "1.1.0"

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
    ("clozapine; olanzapine/fluoxetine", ["clozapine", "olanzapine", "fluoxetine"]),
    ("sertraline 50mg\nbupropion 150mg\nvitamin D", ["sertraline", "bupropion"]),
    ("Sertraline (Zoloft) 50mg", ["sertraline"]),
    ("Escitalopram/Lexapro 10mg", ["escitalopram"]),
    ("wellbutrin, zoloft, xanax", ["bupropion", "sertraline", "alprazolam"]),
    ("metformin 500; Золофт 50; ramipril", ["sertraline"]),
    ("fluoxetine 20mg; sertaline", ["fluoxetine", "sertraline"]),
    ("alcohol", ["alcohol"]),
    ("MDMA at weekends", ["mdma"]),
    ("cetirizine as needed", ["cetirizine"]),
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
    "melatonin 3 mg",
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


def _names(drug):
    return [n for group in drug.names.values() for n in group] + list(drug.brands)


def test_every_name_and_brand_in_the_list_finds_its_own_drug(questionnaire):
    """Each name finds its drug alone; a brand listed under several drugs (a combination
    product) finds exactly those, in the file's order."""
    listed_under: dict[str, list[str]] = {}
    for drug in questionnaire.drugs.drugs:
        for name in _names(drug):
            ids = listed_under.setdefault(" ".join(words(name)), [])
            if drug.id not in ids:
                ids.append(drug.id)
    missed = []
    for drug in questionnaire.drugs.drugs:
        for name in _names(drug):
            found = [m.drug.id for m in find_drugs(questionnaire.drugs, name)]
            if found != listed_under[" ".join(words(name))]:
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


# ---- a negation or an allergy speaks only for its own line and clause --------------------------

CLAUSES = [
    # a "no" on one line or clause never cancels the next one
    ("Alcohol: no\nWellbutrin 150 mg", ["bupropion"]),
    ("Allergies: none\nSertraline 50mg", ["sertraline"]),
    ("Painkillers: none. Zoloft 50", ["sertraline"]),
    ("Vitamin D - no\nlithium", ["lithium"]),
    ("Alcohol - no; lithium 400", ["lithium"]),
    ("no alcohol, sertraline", ["sertraline"]),
    ("Lithium - yes, alcohol - no", ["lithium"]),
    ("Алергии: няма\nсертралин 50 мг", ["sertraline"]),
    ("алкохол - не\nкветиапин 25", ["quetiapine"]),
    # before the drug, with words between that change nothing
    ("no alcohol", []),
    ("без алкохол", []),
    ("I do not drink alcohol", []),
    ("I don't drink alcohol", []),
    ("never used cocaine", []),
    ("не пия алкохол", []),
    ("без да пия алкохол", []),
    ("no alcohol or cocaine", []),
    # after the drug, closing its clause
    ("Alcohol: no", []),
    ("Alcohol: none", []),
    ("Alcohol use: never", []),
    ("алкохол - не", []),
    ("Алкохол: няма", []),
    ("alcohol - don't drink", []),
    # only the drug the negation speaks for
    ("sertraline and no alcohol", ["sertraline"]),
    ("no alcohol and sertraline 50mg", ["sertraline"]),
    ("sertraline 50mg alcohol no", ["sertraline"]),
    # a negation about something else, or a stop, keeps the drug (a stop matters most for some)
    ("Sertraline - not sure of the dose", ["sertraline"]),
    ("сертралин не помня дозата", ["sertraline"]),
    ("Wellbutrin - no side effects", ["bupropion"]),
    ("no longer taking Xanax", ["alprazolam"]),
    ("Xanax: not anymore", ["alprazolam"]),
    ("Золофт №30", ["sertraline"]),
    ("Zoloft No 30", ["sertraline"]),
    # a dose between the drug and a closing "no" keeps the drug: too unsure to drop it
    ("Zoloft 50 - no", ["sertraline"]),
]


@pytest.mark.parametrize(("typed", "expected"), [pytest.param(t, e, id=t) for t, e in CLAUSES])
def test_a_negation_speaks_only_for_its_own_clause(questionnaire, typed, expected):
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, typed)] == expected


ALLERGIES = [
    ("penicillin allergy", []),
    ("allergic to penicillin", []),
    ("алергия към пеницилин", []),
    ("алергична съм към пеницилин", []),
    ("Penicillin - allergic", []),
    ("пеницилин - алергия", []),
    ("Allergies: penicillin", []),
    # after the allergy, the list may go on with medicines taken: a missed drug costs more
    ("Allergies: penicillin, cefalexin", ["cefalexin"]),
    ("Allergies: none, bupropion 150 mg", ["bupropion"]),
    ("Алергии: няма, бупропион", ["bupropion"]),
    ("No allergies: bupropion 150", ["bupropion"]),
    ("Allergy: penicillin, bupropion 150mg", ["bupropion"]),
    ("Allergic to penicillin and amoxicillin", []),
    ("intolerance to ketamine", []),
    ("intolerance to codeine and ketamine", ["ketamine"]),  # only drugs right after the cue
    ("Непоносимост към метронидазол", []),
    # the allergy stays in its clause or sentence
    ("allergic to penicillin, sertraline 50mg", ["sertraline"]),
    ("Allergies: penicillin\nZoloft 50", ["sertraline"]),
    ("Allergies: penicillin. Zoloft 50", ["sertraline"]),
    ("sertraline 50mg, penicillin allergy", ["sertraline"]),
    ("sertraline 50mg allergic to penicillin", ["sertraline"]),
    # a medicine taken for an allergy is a medicine taken
    ("for allergies: cetirizine", ["cetirizine"]),
    ("за алергия: Зиртек", ["cetirizine"]),
    ("allergic rhinitis - loratadine", ["loratadine"]),
]


@pytest.mark.parametrize(("typed", "expected"), [pytest.param(t, e, id=t) for t, e in ALLERGIES])
def test_an_allergy_is_not_a_medicine_taken(questionnaire, typed, expected):
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, typed)] == expected


# ---- ordinary words and other medicines -------------------------------------------------------

ORDINARY = [
    "Lithium battery", "lithium-ion", "lithium ion batteries", "литиева батерия",
    "alcohol-free", "alcohol free mouthwash", "alcohol wipes", "methanol", "метанол",
    "concert", "concerts", "choral", "neural", "Helen", "helix", "ambient", "allegro",
    "ability to sleep", "attention problems", "selenium 100mcg", "moderate pain",
    "treatment ended", "странични ефекти", "реагира зле", "diet coke", "Coke Zero",
    "цефалея", "главоболие", "мигрена",
]

OTHER_MEDICINES = [
    "ibuprofen", "Nurofen", "ибупрофен", "paracetamol", "парацетамол", "acetaminophen",
    "levothyroxine", "L-thyroxine", "Euthyrox", "левотироксин", "metformin", "Glucophage",
    "метформин", "omeprazole", "омепразол", "pantoprazole", "Nolpaza", "vitamin D",
    "vitamin D3 1000 IU", "витамин Д", "aspirin", "аспирин", "contraceptive pill",
    "combined pill", "levonorgestrel", "Yasmin", "Microgynon", "противозачатъчни",
    "magnesium", "магнезий", "Magne B6", "iron", "ferrous sulfate", "желязо", "folic acid",
    "фолиева киселина", "insulin", "инсулин", "insulin glargine", "atorvastatin",
    "rosuvastatin", "simvastatin", "аторвастатин", "amlodipine", "амлодипин", "bisoprolol",
    "Concor", "бизопролол", "ramipril", "losartan", "prednisolone", "methylprednisolone",
    "trazodone", "Trittico", "melatonin", "naproxen", "diclofenac", "clarithromycin",
    "azithromycin", "doxycycline", "valaciclovir",
    "sumatriptan", "montelukast", "fluticasone", "propranolol", "warfarin", "apixaban",
    "Xarelto", "Analgin", "Ketonal", "Sirdalud", "Детралекс", "Кардиомагнил",
    # tofisopam is left out on purpose (see the drug file)
    "tofisopam", "Grandaxin", "Грандаксин",
]


@pytest.mark.parametrize("typed", ORDINARY + OTHER_MEDICINES)
def test_ordinary_words_and_other_medicines_find_nothing(questionnaire, typed):
    assert find_drugs(questionnaire.drugs, typed) == []


LISTED_FROM_1_1_0 = [
    # round 2: anti-seizure medicines (their risk is stopping), tramadol, fluoroquinolones:
    # (typed, found with 1.0.0, found with 1.1.0)
    ("lamotrigine", [], ["lamotrigine"]), ("Lamictal", [], ["lamotrigine"]),
    ("valproate", [], ["valproate"]), ("carbamazepine", [], ["carbamazepine"]),
    ("pregabalin", [], ["pregabalin"]), ("Lyrica", [], ["pregabalin"]),
    ("gabapentin", [], ["gabapentin"]), ("tramadol", [], ["tramadol"]),
    ("ciprofloxacin", [], ["ciprofloxacin"]),
    ("Lamotrigine 100mg, sertraline 50mg, vitamin D", ["sertraline"],
     ["lamotrigine", "sertraline"]),
    ("lamotrigine 100, Keppra", [], ["lamotrigine", "levetiracetam"]),
    # one edit once the spelling key has dropped the silent final e (two before)
    ("rortriptylin", [], ["nortriptyline"]),
]


@pytest.mark.parametrize(
    ("typed", "old", "new"), LISTED_FROM_1_1_0, ids=[t for t, _, _ in LISTED_FROM_1_1_0]
)
def test_drugs_listed_from_1_1_0_only(questionnaire, typed, old, new):
    """1.0.0 stays as released: these were not on it."""
    found = [m.drug.id for m in find_drugs(questionnaire.drugs, typed)]
    assert found == (new if _new_list(questionnaire) else old)


# ---- typos, glued units and salts --------------------------------------------------------------

TYPOS = [
    # one edit in a brand of 5 or 6 letters, first letter right
    ("Xanex", ["alprazolam"]),
    ("Zolof", ["sertraline"]),
    ("Zoloftt", ["sertraline"]),
    ("zolotf", ["sertraline"]),
    ("Prosac", ["fluoxetine"]),
    ("Valum", ["diazepam"]),
    ("Paxill", ["paroxetine"]),
    ("Celexxa", ["citalopram"]),
    ("Haldoll", ["haloperidol"]),
    ("Ativn 1mg", ["lorazepam"]),
    # two edits in a generic name of 10 letters or more
    ("nortryptiline", ["nortriptyline"]),
    ("amitryptiline", ["amitriptyline"]),
    ("quetiapene", ["quetiapine"]),
    ("protriptilline", ["protriptyline"]),
    # units glued in front, salts behind
    ("50mgsertraline", ["sertraline"]),
    ("150mgbupropion", ["bupropion"]),
    ("SertralineHCl 50mg", ["sertraline"]),
    ("sertraline hydrochloride", ["sertraline"]),
    ("fluoxetine hydrochloride 20 mg", ["fluoxetine"]),
    ("сертралин хидрохлорид", ["sertraline"]),
]

NOT_TYPOS = [
    "Yanax",  # the first letter of a short brand must be right
    "Soloft",
    "Zyxquil",
    "пазил",  # a short brand's typo is forgiven only in Latin letters ("Паксил" ~ Paxil)
    "валим",
    "Смолян",
    "speedy",  # street names only match exactly
    "spend",
    "holly",
    "dolly",
    "litiia",
    "mgsertraline",  # a unit is stripped only after a number
    "stimulation",  # two edits: only in generic names, not brands (Stimuloton)
]


@pytest.mark.parametrize(("typed", "expected"), [pytest.param(t, e, id=t) for t, e in TYPOS])
def test_typos_glued_units_and_salts(questionnaire, typed, expected):
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, typed)] == expected


@pytest.mark.parametrize("typed", NOT_TYPOS)
def test_near_misses_that_stay_unmatched(questionnaire, typed):
    assert find_drugs(questionnaire.drugs, typed) == []


@pytest.mark.parametrize(
    "text",
    [
        "Sertraline50mg, бупропион 150мг; Xanax 0.25",
        "sertr\u00adaline s\u0301ertraline \ufb01ne \u00df",
        "България Ъгъл 0,25 0.5 a/b (c) d-e",
        "ⓢⓔⓡⓣⓡⓐⓛⓘⓝⓔ ＳＥＲＴＲＡＬＩＮＥ",
    ],
)
def test_clause_tokens_are_the_words_place_search_keys_use(text):
    """The matcher cuts clauses before folding; its words must stay exactly textnorm.words()."""
    alphabetic = [t for t in _TOKENS.findall(ascii_lower(text)) if t.isalpha()]
    assert alphabetic == words(text)


# ---- labels -----------------------------------------------------------------------------------


def test_class_labels_name_a_class_not_the_drug(questionnaire):
    """'bupropion (bupropion; relative)' told the clinician nothing: every class label, in
    every language, differs from the names of the drugs in it."""
    repeats = []
    for drug in questionnaire.drugs.drugs:
        names = {" ".join(words(n)) for n in _names(drug)}
        for lang, label in drug.drug_class.label.items():
            if " ".join(words(label)) in names:
                repeats.append((drug.id, lang, label))
    assert repeats == []
    assert {lang for d in questionnaire.drugs.drugs for lang in d.drug_class.label} == {"en", "bg"}


@pytest.mark.parametrize(
    ("typed", "label_en", "label_bg"),
    [
        ("bupropion", "aminoketone antidepressant", "антидепресант от групата на аминокетоните"),
        ("mirtazapine", "tetracyclic antidepressant", "тетрацикличен антидепресант"),
        ("mianserin", "tetracyclic antidepressant", "тетрацикличен антидепресант"),
        ("maprotiline", "tetracyclic antidepressant", "тетрацикличен антидепресант"),
        ("reboxetine", "noradrenaline reuptake inhibitor",
         "инхибитор на обратното захващане на норадреналина"),
        ("lithium", "mood stabiliser", "стабилизатор на настроението"),
        ("ketamine", "dissociative anaesthetic", "дисоциативен анестетик"),
        ("theophylline", "methylxanthine bronchodilator",
         "бронходилататор от групата на метилксантините"),
        ("ciclosporin", "immunosuppressant", "имуносупресор"),
        ("GHB", "sedative", "седативно средство"),
        ("meprobamate", "sedative", "седативно средство"),
        ("chloral hydrate", "sedative", "седативно средство"),
        ("sertraline", "SSRI antidepressant", "антидепресант от групата на SSRI"),
        ("venlafaxine", "SNRI antidepressant", "антидепресант от групата на SNRI"),
    ],
)
def test_a_drug_carries_its_class_label(questionnaire, typed, label_en, label_bg):
    (match,) = find_drugs(questionnaire.drugs, typed)
    assert dict(match.drug.drug_class.label) == {"en": label_en, "bg": label_bg}


@pytest.mark.parametrize(
    ("typed", "risk", "en", "bg"),
    [
        ("maprotiline", "strong", "strong hazard", "силен риск"),
        ("mirtazapine", "relative", "relative hazard", "относителен риск"),
        ("diazepam", "withdrawal", "risk on stopping suddenly", "риск при внезапно спиране"),
    ],
)
def test_risk_labels(questionnaire, typed, risk, en, bg):
    (match,) = find_drugs(questionnaire.drugs, typed)
    assert match.risk == risk
    assert dict(questionnaire.drugs.risk_labels[risk]) == {"en": en, "bg": bg}


# ---- common members of the classes the reference names ----------------------------------------

MEMBERS = [
    # antihistamines
    ("cetirizine", "cetirizine"), ("Zyrtec", "cetirizine"), ("Зиртал", "cetirizine"),
    ("Zyrtal 10mg", "cetirizine"), ("цетиризин", "cetirizine"),
    ("levocetirizine", "levocetirizine"), ("Xyzal", "levocetirizine"),
    ("loratadine", "loratadine"), ("Claritin", "loratadine"), ("Claritine", "loratadine"),
    ("Кларитин", "loratadine"), ("desloratadine", "desloratadine"), ("Aerius", "desloratadine"),
    ("Аериус", "desloratadine"), ("fexofenadine", "fexofenadine"), ("Telfast", "fexofenadine"),
    # sympathomimetics and anticholinergics
    ("salbutamol inhaler", "salbutamol"), ("albuterol", "salbutamol"),
    ("Ventolin", "salbutamol"), ("Вентолин", "salbutamol"), ("oxybutynin", "oxybutynin"),
    ("Buscopan", "hyoscine_butylbromide"), ("Бускопан", "hyoscine_butylbromide"),
    ("hyoscine butylbromide", "hyoscine_butylbromide"), ("scopolamine patch", "hyoscine"),
    ("solifenacin", "solifenacin"), ("Vesicare", "solifenacin"),
    # penicillins and cephalosporins, each by its full name
    ("flucloxacillin", "flucloxacillin"), ("cloxacillin", "cloxacillin"),
    ("piperacillin", "piperacillin"), ("Tazocin", "piperacillin"),
    ("cefaclor", "cefaclor"), ("cefazolin", "cefazolin"), ("cefadroxil", "cefadroxil"),
    ("cefotaxime", "cefotaxime"), ("ceftazidime", "ceftazidime"),
    ("cefpodoxime", "cefpodoxime"), ("цефаклор", "cefaclor"),
    # antipsychotics
    ("amisulpride", "amisulpride"), ("Solian", "amisulpride"), ("Солиан", "amisulpride"),
    ("paliperidone", "paliperidone"), ("Invega", "paliperidone"), ("Xeplion", "paliperidone"),
    ("sulpiride", "sulpiride"), ("Eglonyl", "sulpiride"), ("Еглонил", "sulpiride"),
    ("cariprazine", "cariprazine"), ("Reagila", "cariprazine"), ("Реагила", "cariprazine"),
    ("lurasidone", "lurasidone"), ("Latuda", "lurasidone"),
    ("levomepromazine", "levomepromazine"), ("Tisercin", "levomepromazine"),
    ("Тизерцин", "levomepromazine"), ("flupentixol", "flupentixol"),
    ("Fluanxol", "flupentixol"), ("Флуанксол", "flupentixol"),
    ("zuclopenthixol", "zuclopenthixol"), ("Clopixol", "zuclopenthixol"),
    ("chlorprothixene", "chlorprothixene"), ("Truxal", "chlorprothixene"),
    ("promazine", "promazine"), ("perphenazine", "perphenazine"),
    ("thioridazine", "thioridazine"), ("sertindole", "sertindole"), ("asenapine", "asenapine"),
    # tricyclics and an SNRI
    ("desipramine", "desipramine"), ("trimipramine", "trimipramine"),
    ("dosulepin", "dosulepin"), ("dothiepin", "dosulepin"), ("protriptyline", "protriptyline"),
    ("milnacipran", "milnacipran"),
    # benzodiazepines and Z-drugs (withdrawal)
    ("clobazam", "clobazam"), ("Frisium", "clobazam"), ("Фризиум", "clobazam"),
    ("Frontin 0.25", "alprazolam"), ("Фронтин", "alprazolam"), ("Xanax XR", "alprazolam"),
    ("zolpidem", "zolpidem"), ("Stilnox", "zolpidem"), ("Санвал", "zolpidem"),
    ("zopiclone", "zopiclone"), ("Imovane", "zopiclone"),
    # street names, exact only
    ("speed", "amphetamine"), ("meth", "methamphetamine"),
    ("crystal meth", "methamphetamine"), ("coke", "cocaine"), ("molly", "mdma"),
]


@pytest.mark.parametrize(("typed", "drug_id"), [pytest.param(t, d, id=t) for t, d in MEMBERS])
def test_common_members_of_named_classes_are_found(questionnaire, typed, drug_id):
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, typed)] == [drug_id]


@pytest.mark.parametrize(
    ("typed", "risks"),
    [
        ("cetirizine", ["relative"]), ("clobazam", ["withdrawal"]), ("zolpidem", ["withdrawal"]),
        ("desipramine", ["strong"]), ("amisulpride", ["relative"]), ("speed", ["strong"]),
        # Deanxit is flupentixol with melitracen, a tricyclic: both are named
        ("Deanxit", ["strong", "relative"]),
    ],
)
def test_added_members_carry_their_class_risk(questionnaire, typed, risks):
    assert [m.risk for m in find_drugs(questionnaire.drugs, typed)] == risks


def test_deanxit_names_both_of_its_drugs(questionnaire):
    found = find_drugs(questionnaire.drugs, "Деанксит 0,5/10 мг")
    assert [(m.drug.id, m.typed) for m in found] == [
        ("melitracen", "deanksit"), ("flupentixol", "deanksit")
    ]


def test_every_added_member_not_named_in_s2_is_commented():
    """The drug file explains each member S2 does not name itself: the new ones are mentioned
    in a comment line, not only listed."""
    text = DRUG_FILE.read_text(encoding="utf-8")
    comments = " ".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for word in ["Desipramine", "Milnacipran", "antipsychotics below", "Flucloxacillin",
                 "cephalosporins", "Oxybutynin", "Second-generation antihistamines",
                 "Salbutamol", "Clobazam", "Tofisopam", "Zolpidem", "Deanxit"]:
        assert word in comments


# ---- the list the bench times ----------------------------------------------------------------

TEN_LINES = [
    "Sertraline 50mg once daily", "Bupropion XL 150 mg", "levothyroxine 50mcg",
    "vitamin D3 1000 IU", "Alcohol: no", "Allergies: penicillin",
    "omeprazole 20mg before breakfast", "Xanax 0.25 as needed",
    "metformin 500 mg twice a day", "ibuprofen 400 when needed",
]


def test_a_ten_line_list_finds_its_three_drugs(questionnaire):
    """The list bench/medications.py times (timing goals live in bench/, not in unit tests)."""
    text = "\n".join(TEN_LINES)
    assert [m.drug.id for m in find_drugs(questionnaire.drugs, text)] == [
        "sertraline", "bupropion", "alprazolam"
    ]
