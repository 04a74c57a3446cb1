"""Capture's accuracy on the corpus (tests/corpus/capture, written from the documented
invitation formats): precision, recall, and every extracted field of every interview.

The corpus is read file by file through the same code a capture runs
(events.read_calendar, detect.judge, extract.extract). Misses and false alarms
are listed in the terminal summary and in the failure message.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followup_sync.capture.detect import Me, judge
from followup_sync.capture.domains import normalize_company
from followup_sync.capture.events import Window, read_calendar
from followup_sync.capture.extract import extract
from tests.support import capture_corpus

ROOT = capture_corpus.ROOT
TZ = ZoneInfo("America/New_York")
WINDOW = Window(datetime(2026, 9, 27, tzinfo=TZ), datetime(2026, 12, 27, tzinfo=TZ))
ME = Me(
    frozenset({capture_corpus.USER[1], capture_corpus.ALIAS}),
    capture_corpus.USER[0],
    (capture_corpus.MY_DOMAIN,),
)
EXPECTED = tomllib.loads((ROOT / "expected.toml").read_text(encoding="utf-8"))
INTERVIEWS = sorted(k for k, v in EXPECTED.items() if v["kind"] == "interview")


def judged(case_id: str):
    """(event, verdict) for every occurrence in the window of one corpus file."""
    data = (ROOT / f"{case_id}.ics").read_bytes()
    result = read_calendar(data, WINDOW, source="corpus", default_tz=TZ)
    assert result.skipped == 0, f"{case_id}: {result.skipped} event(s) unreadable"
    return [(event, judge(event, ME)) for event in result.events]


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path):
    capture_corpus.write(tmp_path)
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in ROOT.iterdir()}
    assert written.keys() == committed.keys()
    changed = sorted(name for name in written if written[name] != committed[name])
    assert changed == [], "regenerate: .venv/bin/python -m tests.support.capture_corpus"


def test_the_corpus_is_as_big_as_the_issue_asks():
    kinds = [v["kind"] for v in EXPECTED.values()]
    assert kinds.count("interview") >= 40
    assert sum(k in capture_corpus.HARD for k in kinds) >= 80
    # Every tool and language the issue names is there.
    names = " ".join(EXPECTED)
    for tool in ("greenhouse", "goodtime", "ashby", "lever", "gem", "calendly", "teams", "google"):
        assert tool in names, tool
    for lang in ("de", "fr", "es", "pt", "it", "nl", "pl", "sv", "ja", "zh", "ko"):
        assert f"-{lang}-" in names, lang
    for kind in (
        "interviewer side",
        "prep or mock",
        "vendor meeting",
        "declined",
        "cancelled",
        "all-day",
        "recurring meeting",
        "podcast, press or research",
    ):
        assert kind in kinds, kind


def test_precision_and_recall(figure):
    found, missed, false_alarms = [], [], []
    for case_id, expected in sorted(EXPECTED.items()):
        proposed = [(e, v) for e, v in judged(case_id) if v.proposed]
        if expected["kind"] == "interview":
            if proposed:
                found.append(case_id)
            else:
                reasons = {v.rejected for _, v in judged(case_id)} or {"outside the window"}
                missed.append(f"{case_id} ({', '.join(sorted(reasons))})")
        elif proposed:
            signals = "; ".join(proposed[0][1].signals)
            false_alarms.append(f"{case_id} [{expected['kind']}] ({signals})")
    precision = len(found) / max(1, len(found) + len(false_alarms))
    recall = len(found) / max(1, len(found) + len(missed))
    figure(
        f"capture corpus: precision {precision:.3f}, recall {recall:.3f}"
        f" ({len(found)} of {len(found) + len(missed)} interviews,"
        f" {len(false_alarms)} false alarms in {len(EXPECTED) - len(INTERVIEWS)} negatives)"
    )
    for line in missed:
        figure(f"  missed: {line}")
    for line in false_alarms:
        figure(f"  false alarm: {line}")
    report = (
        "\nmissed:\n  " + "\n  ".join(missed) + "\nfalse alarms:\n  " + "\n  ".join(false_alarms)
    )
    assert precision >= 0.95, report
    assert recall >= 0.90, report


def test_extraction_accuracy_per_field(figure):
    fields = {"company": 0, "role": 0, "stage": 0, "interviewers": 0, "start": 0}
    wrong = []
    for case_id in INTERVIEWS:
        proposed = [(e, v) for e, v in judged(case_id) if v.proposed]
        if not proposed:
            continue
        got = _fields(proposed[0][0])
        want = _expected(case_id)
        for name in fields:
            if got[name] == want[name]:
                fields[name] += 1
            else:
                wrong.append(f"{case_id} {name}: {got[name]!r} != {want[name]!r}")
    figure(
        "capture extraction: " + ", ".join(f"{k} {v}/{len(INTERVIEWS)}" for k, v in fields.items())
    )
    for line in wrong:
        figure(f"  wrong: {line}")


def _fields(event) -> dict:
    found = extract(event, ME)
    return {
        "company": normalize_company(found.company),
        "role": found.role,
        "stage": found.stage,
        "interviewers": [str(p) for p in found.interviewers],
        "start": event.start,
    }


def _expected(case_id: str) -> dict:
    e = EXPECTED[case_id]
    return {
        "company": normalize_company(e["company"]),
        "role": e["role"],
        "stage": e["stage"],
        "interviewers": e["interviewers"],
        "start": datetime.fromisoformat(e["start"]),
    }


@pytest.mark.parametrize("case_id", INTERVIEWS)
def test_each_interview_is_extracted_field_by_field(case_id):
    proposed = [e for e, v in judged(case_id) if v.proposed]
    assert proposed, f"{case_id} was not proposed"
    got, want = _fields(proposed[0]), _expected(case_id)
    for name in ("company", "role", "interviewers", "start", "stage"):
        assert got[name] == want[name], f"{name}: {got[name]!r} != {want[name]!r}"
    # The time is an instant with its zone resolved (Windows zone names included).
    assert got["start"].utcoffset() == want["start"].utcoffset()


@pytest.mark.parametrize(
    "case_id", sorted(k for k, v in EXPECTED.items() if v["kind"] != "interview")
)
def test_each_hard_negative_is_not_proposed(case_id):
    proposed = [v for _, v in judged(case_id) if v.proposed]
    assert proposed == [], f"{EXPECTED[case_id]['kind']}: proposed for {proposed[0].signals}"
