"""Requests per push to Todoist for N applications, through the CLI and the fake server.

Prints figures; asserts nothing (timings on a shared machine are not a test).

    .venv/bin/python benchmarks/bench_todoist.py            # 50 applications
    .venv/bin/python benchmarks/bench_todoist.py --apps 120 # two pages of tasks

Goals (issue 4): a new nudge costs at most 3 requests (task, upload, comment);
a push with nothing changed costs one listing request per page of our tasks and
makes no writes.
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

from _table import add_rows_option, emit  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from followup_sync.cli import cli  # noqa: E402
from tests.support.fake_todoist import FakeTodoistServer  # noqa: E402

TOKEN_ENV = "FOLLOWUP_BENCH_TODOIST_TOKEN"


def run(argv: list[str], data_dir: Path, config: Path, env: dict) -> str:
    base = ["--data-dir", str(data_dir), "--config", str(config), "--today", "2026-11-26"]
    result = CliRunner().invoke(cli, [*base, *argv], env=env, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(argv[:2])} failed ({result.exit_code}): {result.stderr}")
    return result.stdout


def summarize(label: str, fake, seconds: float) -> dict:
    reqs = fake.requests()
    writes = fake.writes()
    by_kind = Counter(f"{r.method} {r.path.removeprefix('/api/v1')}" for r in reqs)
    new_tasks = by_kind["POST /tasks"]
    per_run = sum(n for k, n in by_kind.items() if k.startswith(("GET ", "POST /projects")))
    out = {
        "label": label,
        "requests": len(reqs),
        "writes": len(writes),
        "seconds": round(seconds, 2),
        "by_kind": dict(sorted(by_kind.items())),
    }
    if new_tasks:
        out["new_items"] = new_tasks
        out["requests_per_new_item"] = round((len(reqs) - per_run) / new_tasks, 2)
        nudges = by_kind["POST /comments"]
        out["requests_per_new_nudge"] = round(
            (len(reqs) - per_run - (new_tasks - nudges)) / max(1, nudges), 2
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=50)
    add_rows_option(parser)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, FakeTodoistServer() as server:
        fake = server.app
        data_dir, config = Path(tmp) / "data", Path(tmp) / "config.toml"
        config.write_text(
            '[user]\nname = "Alex Rivera"\nemail = "alex@example.com"\n'
            'timezone = "America/New_York"\n\n'
            f'[providers.todo]\ntype = "todoist"\napi_url = "{server.api_url}"\n'
            f'token_env = "{TOKEN_ENV}"\n',
            encoding="utf-8",
        )
        env = {TOKEN_ENV: fake.token, "FOLLOWUP_SYNC_NO_KEYRING": "1"}
        for n in range(args.apps):
            run(
                [
                    "add",
                    f"Company {n:03d}",
                    "--role",
                    "Backend Engineer",
                    "--date",
                    "2026-11-20 14:00",
                    "--interviewer",
                    f"Jane Doe <jane{n}@example.com>",
                ],
                data_dir,
                config,
                env,
            )

        results = []
        for label in ("first push", "no-op push", "no-op push again"):
            fake.reset_log()
            started = time.perf_counter()
            report = json.loads(run(["push", "--json"], data_dir, config, env))
            seconds = time.perf_counter() - started
            figures = summarize(label, fake, seconds)
            figures["result"] = {
                k: v for k, v in report["providers"][0]["result"].items() if v and k != "errors"
            }
            results.append(figures)

        tasks = len(fake.live_tasks())
        pages = -(-tasks // 200)
        print(f"Todoist push, {args.apps} applications, {tasks} tasks ({pages} page(s) of 200)")
        for f in results:
            print(
                f"\n{f['label']}: {f['requests']} requests, {f['writes']} writes, {f['seconds']}s"
            )
            if "requests_per_new_nudge" in f:
                print(
                    f"  per new nudge: {f['requests_per_new_nudge']} requests (goal <= 3); "
                    f"per new item incl. move-on markers: {f['requests_per_new_item']}"
                )
            else:
                print(f"  listing requests per page of tasks: {f['requests'] / pages:g} (goal 1)")
            print(f"  result: {f['result']}")
            for kind, n in f["by_kind"].items():
                print(f"    {n:5d}  {kind}")
    first, noop = results[0], results[1]
    emit(
        args.rows,
        "todoist",
        f"first push, {args.apps} applications: requests",
        str(first["requests"]),
    )
    emit(
        args.rows,
        "todoist",
        "requests per new nudge",
        str(first.get("requests_per_new_nudge")),
        "<= 3",
    )
    emit(
        args.rows,
        "todoist",
        "no-op push: requests per page of tasks",
        f"{noop['requests'] / pages:g}",
        "1",
    )
    emit(args.rows, "todoist", "no-op push: writes", str(noop["writes"]), "0")


if __name__ == "__main__":
    main()
