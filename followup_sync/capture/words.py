"""The words capture reads invitations with, in the languages the issue names (at least
English, German, French, Spanish, Portuguese, Italian, Dutch, Polish, Swedish,
Japanese, Chinese and Korean).

detect.py decides with them, extract.py takes invitations apart with them; a
new language or a new kind of non-job "interview" is added here.
"""

from __future__ import annotations

import re


def _words(*patterns: str) -> str:
    """Latin-script patterns as whole words."""
    return r"(?<![\w])(?:" + "|".join(patterns) + r")(?![\w])"


# --- keywords ------------------------------------------------------------------
#: Words that say "job interview" (the languages the issue names, at least).
KEYWORDS: dict[str, str] = {
    "en": _words(
        r"interviews?",
        r"phone screen(?:ing)?",
        r"recruiter (?:screen|call|chat|interview)",
        r"tech(?:nical)? screen(?:ing)?",
        r"screening (?:call|interview)",
        r"coding (?:exercise|round|challenge|interview)",
        r"final round",
        r"hiring manager (?:interview|call|chat|screen|conversation)",
        r"on-?site interview",
    ),
    "de": _words(
        r"vorstellungsgespr[äa]ch\w*",
        r"bewerbungsgespr[äa]ch\w*",
        r"kennenlerngespr[äa]ch\w*",
        r"erstgespr[äa]ch\w*",
        r"zweitgespr[äa]ch\w*",
        r"auswahlgespr[äa]ch\w*",
    ),
    "fr": _words(r"entretiens?", r"entrevue"),
    "es": _words(r"entrevistas?"),  # also Portuguese
    "it": _words(r"colloqui(?:o)?"),
    "nl": _words(r"sollicitatiegesprek\w*", r"kennismakingsgesprek\w*", r"sollicitatie"),
    "pl": _words(r"rozmow[aęy] (?:kwalifikacyjn|rekrutacyjn)\w*"),
    "sv": _words(r"intervju\w*", r"anst[äa]llningsintervju\w*"),
    # Chinese, Japanese and Korean have no word boundaries.
    "ja": r"面接|カジュアル面談",
    "zh": r"面试|面試",
    "ko": r"면접",
}
KEYWORD = re.compile("|".join(f"(?:{v})" for v in KEYWORDS.values()), re.IGNORECASE)
#: Hints that add to the score but prove nothing alone ("System design review"
#: is also a meeting at work).
WEAK = re.compile(
    _words(
        r"system design",
        r"on-?site",
        r"hiring manager",
        r"technical",
        r"take-?home",
        r"case study",
        r"portfolio review",
        r"culture fit",
        r"pair programming",
        r"screening",
    )
    + r"|面談|면담",
    re.IGNORECASE,
)
#: Interviews the user is not a candidate in: preparation, practice, media,
#: research, leaving a job; and homonyms (a boiler's "entretien", a parents'
#: "colloquio").
NOT_A_JOB_INTERVIEW = re.compile(
    _words(
        r"prep",
        r"preparation",
        r"prepping",
        r"practi[cs]e",
        r"mock",
        r"rehearsal",
        r"dry run",
        r"podcast",
        r"press",
        r"journalist",
        r"radio",
        r"tv",
        r"webinar",
        r"user (?:interview|research)s?",
        r"customer (?:interview|discovery|research)s?",
        r"ux research",
        r"usability",
        r"research (?:study|session|participant)",
        r"exit interview",
        r"stay interview",
        r"informational interview",
        r"info(?:rmational)? chat",
        r"interview(?:er)? training",
        r"interview coaching",
        r"coaching",
        # German, French, Spanish/Portuguese, Italian, Dutch, Polish, Swedish
        r"vorbereitung",
        r"übung",
        r"probeinterview",
        r"presse",
        r"zeitung",
        r"austrittsgespr[äa]ch",
        r"préparation",
        r"pr[ée]pa",
        r"entra[îi]nement",
        r"simulation d'entretien",
        r"entretien (?:blanc|annuel|individuel|professionnel|de fin d'année)",
        r"entretien (?:de la |du |de l')?(?:chaudi[èe]re|voiture|v[ée]hicule|jardin|piscine|climatisation)",
        r"journaliste",
        r"preparaci[óo]n",
        r"prepara[çc][ãa]o",
        r"pr[áa]ctica",
        r"simulacro",
        r"simula[çc][ãa]o",
        r"prensa",
        r"imprensa",
        r"peri[óo]dico",
        r"preparazione",
        r"simulazione",
        r"stampa",
        r"giornal\w+",
        r"colloqui(?:o)? (?:con i |coi )?(?:professori|docenti|insegnanti|genitori)",
        r"voorbereiding",
        r"oefen\w*",
        r"oefengesprek",
        r"przygotowanie",
        r"próbn\w+",
        r"prasa",
        r"förberedelse",
        r"övning\w*",
        r"podd\w*",
        # Interviews about something else than a job the user wants: housing,
        # childcare and services they hire, admissions, visas, studies they
        # take part in, school papers, parties.
        r"nanny|babysitter|au pair|caregiver|wedding|caterer|contractor quote",
        r"tenant|rental|lease|landlord|apartment|flat viewing|housing",
        r"admissions?|visa|embassy|consulate|immigration|citizenship|naturali[sz]ation",
        r"newspaper|magazine|yearbook|student paper|blog",
        r"participants?|clinical|(?:sleep|research|user|diary) study|focus group",
        r"celebrat\w*|party|congrats|congratulations",
    )
    + r"|対策|練習|模擬|取材|三者面談|保護者面談|模拟|准备|練習|采访|记者|모의|준비|연습|인터뷰|학부모",
    re.IGNORECASE,
)
#: The user on the other side of the table: interview kits, scorecards,
#: "candidate" titles, GoodTime holds.
INTERVIEWER_SIDE = re.compile(
    r"interview kit|scorecard|app\.greenhouse\.io/guides|feedback form|submit (?:your )?feedback|"
    r"candidate:|candidate profile|candidate'?s? (?:resume|cv|profile)|\[hold\]|interviewer guide|"
    r"interviewer (?:briefing|instructions)|debrief|hiring committee|resume: https?://|"
    r"bewertungsbogen|grille d'évaluation|評価シート|面试官|면접관",
    re.IGNORECASE,
)
TITLE_CANDIDATE = re.compile(
    _words(r"candidat(?:e|o|a)s?", r"kandidat(?:in|en)?", r"kandydat\w*")
    + r"|候補者|候选人|지원자",
    re.IGNORECASE,
)

# --- job titles ------------------------------------------------------------------------
_ROLE_WORDS_LATIN = (
    r"engineer\w*|developer|dev|programmer|programista|entwickler\w*|d[ée]veloppeu(?:r|se)|"
    r"ing[ée]nieur\w*|ingenier[oa]s?|desarrollador\w*|engenheir[oa]\w*|desenvolvedor\w*|"
    r"sviluppat\w+|ingegner[ei]|ontwikkelaar|programmeur|in[żz]ynier\w*|utvecklare|ingenj[öo]r\w*|"
    r"designer|dise[ñn]ador\w*|analyst\w*|analist\w*|analista|analytiker|scientist|"
    r"wissenschaftler\w*|manager|lead|head of|director|architects?|architecte|architekt(?:in)?|"
    r"arquitect[oa]|\w+(?:manager(?:in)?|entwickler(?:in)?|leiter(?:in)?|berater(?:in)?|"
    r"ingenieur(?:in)?|architekt(?:in)?|analyst(?:in)?|designer(?:in)?)|nurse|teacher|pharmacist|"
    r"intern|internship|praktikant\w*|stagiaire|werkstudent\w*|becari[oa]|tirocinant\w*|"
    r"specialist\w*|spezialist\w*|sp[ée]cialiste|especialista|consultant\w*|berater\w*|"
    r"consultor\w*|product owner|sre|devops|administrator|technician|coordinator|associate|"
    r"officer|researcher|accountant|marketer|writer|editor|executive|representative|"
    r"assistant|recruiter|strategist|owner|chef de projet|chef(?:fe)? de \w+|responsable|"
    r"directeur|directrice|jefe|jefa|gerente|coordinad(?:or|ora)|projektleiter(?:in)?|"
    r"werkstudent(?:in)?"
)
ROLE_WORD = re.compile(
    r"(?<![\w])(?:" + _ROLE_WORDS_LATIN + r")(?![\w])"
    r"|エンジニア|開発者|デザイナー|マネージャー|アナリスト|工程师|工程師|开发|開發|设计师|設計師|"
    r"经理|經理|分析师|分析師|엔지니어|개발자|디자이너|매니저|분석가",
    re.IGNORECASE,
)
GENDER_SUFFIX = re.compile(
    r"\s*[(\[]\s*(?:[mwfdhxai*]|div|all genders?|alle)(?:\s*[/|,*]\s*(?:[mwfdhxai*]|div))*\s*[)\]]"
    r"|\s+(?<![\w/])(?:[mwfdh]/[mwfdh](?:/[mwfdhx])?)(?![\w/])",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"\s+[-–—|/·•]\s+|\s*[|:：()（）<>【】\[\]「」]\s*|\s+-\s*|\s*-\s+")

# --- stages ----------------------------------------------------------------------------
STAGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("virtual onsite", r"virtual on-?site|remote on-?site|virtuelles? on-?site"),
        (
            "onsite",
            r"(?<![\w])(?:on-?site|vor[- ]ort|sur place|presencial|in-person|final loop)(?![\w])",
        ),
        (
            "final round",
            r"(?<![\w])(?:final(?: round| interview)?|finale[sr]?|dernier entretien|"
            r"entrevista final|colloquio finale|slutintervju|eindgesprek)(?![\w])|最終|最终|终面|최종",
        ),
        ("hiring manager", r"hiring manager|(?<![\w])hm (?:call|interview|screen)"),
        ("system design", r"system design|systemdesign"),
        (
            "technical",
            r"(?<![\w])(?:technical|tech screen|coding|live coding|pair programming|technisch\w*|"
            r"technique|t[ée]cnic[oa]|tecnic[oa])(?![\w])|技術|技术|기술",
        ),
        (
            "phone screen",
            r"phone (?:screen|interview|call)|telefon\w*|entretien t[ée]l[ée]phonique|"
            r"entrevista telef[óo]nica|電話|电话|전화",
        ),
        (
            "recruiter screen",
            r"recruiter (?:screen|call|chat|interview)|talent (?:screen|call)|intro(?:ductory)? call|"
            r"erstgespr[äa]ch|kennenlern\w*|(?<![\w])hr (?:interview|screen|call)|entretien rh|"
            r"カジュアル面談",
        ),
        ("first round", r"first (?:round|interview)|1st round|一次面接|一面|1차"),
        (
            "second round",
            r"second (?:round|interview)|2nd round|zweitgespr[äa]ch|二次面接|二面|2차",
        ),
        ("portfolio review", r"portfolio"),
        ("take-home review", r"take-?home"),
        ("culture fit", r"culture|values interview|behaviou?ral"),
        ("panel", r"(?<![\w])panel(?![\w])"),
    )
)

#: A title that names a job: "(Product Manager role)", "Senior Analyst position".
JOB_PHRASE = re.compile(
    r"(?<![\w])(?:role|position|opportunity|opening|vacancy|job|poste|stelle|vacante|vaga|"
    r"posizione|vacature|stanowisko|tjänst)(?![\w])|職種|职位|岗位|채용",
    re.IGNORECASE,
)
