"""Requests per push to Todoist, through the CLI and the fake Todoist server.

Prints figures; asserts nothing (timings on a shared machine are not a test).

    .venv/bin/python benchmarks/bench_todoist.py                 # 50 and 200 applications
    .venv/bin/python benchmarks/bench_todoist.py --apps 120 --big 300

1. A first push of `--apps` applications with the .eml drafts attached, and the same
   with `attach_eml = false`: requests per new nudge, counting every request of the
   push (listing, project, uploads, batches, read-backs) over the new nudges.
   Goals (issue 15): <= 1.2 with attachments (uploads remain one each), <= 0.1
   without.
2. A no-op push right after: one listing request per page of our tasks, no writes.
3. A first push of `--big` applications in one run, with the fake's rate limit on
   (Todoist's documented ~1,000 requests per 15 minutes): requests, 429 answers
   (goal: none) and the headroom left under the limit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _inputs import USER, write_applications  # noqa: E402
from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from followup_sync_todoist.provider import parse_marker  # noqa: E402
from tests.support.fake_todoist import RATE_LIMIT, FakeTodoistServer  # noqa: E402

TOKEN_ENV = "FOLLOWUP_BENCH_TODOIST_TOKEN"


def run(argv: list[str], data_dir: Path, config: Path, env: dict) -> str:
    base = ["--data-dir", str(data_dir), "--config", str(config), "--today", "2026-11-26"]
    result = CliRunner().invoke(cli, [*base, *argv], env=env, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(argv[:2])} failed ({result.exit_code}): {result.stderr}")
    return result.stdout


def setup(root: Path, server, apps: int, attach: bool) -> tuple[Path, Path, dict]:
    root.mkdir(parents=True)
    data_dir, config = root / "data", root / "config.toml"
    config.write_text(
        USER + "\n"
        f'[providers.todo]\ntype = "todoist"\napi_url = "{server.api_url}"\n'
        f'token_env = "{TOKEN_ENV}"\n' + ("" if attach else "attach_eml = false\n"),
        encoding="utf-8",
    )
    write_applications(root / "applications.toml", apps)
    env = {TOKEN_ENV: server.app.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"}
    run(["import", str(root / "applications.toml")], data_dir, config, env)
    return data_dir, config, env


def push(fake, data_dir: Path, config: Path, env: dict) -> dict:
    fake.reset_log()
    limited = fake.rate_limited
    started = time.perf_counter()
    report = json.loads(run(["push", "--json"], data_dir, config, env))
    seconds = time.perf_counter() - started
    reqs = fake.requests()
    by_kind = Counter(
        f"{r.method} {r.path.removeprefix('/api/v1')}{'?ids' if 'ids' in r.query else ''}"
        for r in reqs
    )
    nudges = sum(
        1
        for c in fake.command_log
        if c.type == "item_add"
        and c.status == "ok"
        and ".nudge-" in parse_marker(c.args["description"]).uid
    )
    result = report["providers"][0]["result"]
    return {
        "requests": len(reqs),
        "writes": len(fake.writes()),
        "commands": len(fake.command_log),
        "batches": by_kind["POST /sync"],
        "new_nudges": nudges,
        "created": result["created"],
        "failed": result["failed"],
        "refused_429": fake.rate_limited - limited,
        "seconds": round(seconds, 2),
        "by_kind": dict(sorted(by_kind.items())),
    }


def show(label: str, f: dict) -> None:
    print(
        f"\n{label}: {f['requests']} requests ({f['batches']} batches of {f['commands']} "
        f"commands), {f['created']} created, {f['failed']} failed, {f['new_nudges']} new "
        f"nudges, {f['refused_429']} answered 429, {f['seconds']} s"
    )
    for kind, n in f["by_kind"].items():
        print(f"    {n:5d}  {kind}")


def per_nudge(f: dict) -> float:
    return f["requests"] / max(1, f["new_nudges"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--big", type=int, default=200)
    add_rows_option(parser)
    args = parser.parse_args()
    rows = args.rows
    most, window = RATE_LIMIT

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figures = {}
        for attach in (True, False):
            with FakeTodoistServer() as server:
                fake = server.app
                data_dir, config, env = setup(root / f"attach-{attach}", server, args.apps, attach)
                first = push(fake, data_dir, config, env)
                noop = push(fake, data_dir, config, env)
                tasks = len(fake.live_tasks())
                figures[attach] = (first, noop, tasks)
                what = "with .eml attachments" if attach else "attach_eml = false"
                show(f"first push, {args.apps} applications, {what}", first)
                show("no-op push", noop)
        with FakeTodoistServer() as server:
            fake = server.app
            data_dir, config, env = setup(root / "big", server, args.big, True)
            big = push(fake, data_dir, config, env)
            show(
                f"first push, {args.big} applications (rate limit {most}/{window / 60:g} min)", big
            )

    (first, noop, tasks), (bare, _, _) = figures[True], figures[False]
    pages = -(-tasks // 200)
    print(f"\nrequests per new nudge, with attachments: {per_nudge(first):.2f} (goal <= 1.2)")
    print(f"requests per new nudge, attach_eml = false: {per_nudge(bare):.3f} (goal <= 0.1)")
    print(
        f"{args.big} applications in one run: {big['requests']} requests, "
        f"{big['refused_429']} answered 429 (limit {most} per {window / 60:g} min)"
    )
    emit(rows, "todoist", f"first push, {args.apps} applications: requests", str(first["requests"]))
    emit(
        rows,
        "todoist",
        "requests per new nudge, .eml attached",
        f"{per_nudge(first):.2f}",
        "<= 1.2",
    )
    emit(
        rows,
        "todoist",
        "requests per new nudge, attach_eml = false",
        f"{per_nudge(bare):.3f}",
        "<= 0.1",
    )
    emit(
        rows,
        "todoist",
        f"first push, {args.big} applications: requests / answered 429",
        f"{big['requests']} / {big['refused_429']}",
        f"< {most} / 0",
    )
    emit(
        rows,
        "todoist",
        f"{args.big} applications: headroom under {most} requests / 15 min",
        str(most - big["requests"]),
    )
    emit(
        rows,
        "todoist",
        "no-op push: requests per page of tasks",
        f"{noop['requests'] / pages:g}",
        "1",
    )
    emit(rows, "todoist", "no-op push: writes", str(noop["writes"]), "0")


if __name__ == "__main__":
    main()
