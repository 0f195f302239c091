"""`flask --app wsgi promises simulate`: the simulation as a command, on a scratch database of its own, printing the
same JSON line as benchmarks/simulation.py."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.orders.models import Order

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {"scenario", "seed", "days", "orders", "evaluated", "kept_rate", "median_slack_business_days",
           "p90_slack_business_days", "late_orders", "late_warned", "late_warned_share", "rush_orders",
           "mailer_orders", "late_mailers", "late_collected", "shop_late_warned_share", "warned_kept",
           "collected_after_promise"}
A_DAY = ["--days", "1", "--seed", "1", "--start", "2026-09-14", "--customers", "6"]  # a Monday of the Fall term


def test_simulate_prints_the_scripts_json_line_from_a_scratch_database(app, ctx, tmp_path):
    kept = tmp_path / "sim.db"
    result = app.test_cli_runner().invoke(args=["promises", "simulate", *A_DAY, "--keep", str(kept)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary) == FIGURES
    assert (summary["scenario"], summary["seed"], summary["days"]) == ("mix", 1, 1)
    assert summary["orders"] > 0 and 0 <= summary["evaluated"] <= summary["orders"]
    assert summary["kept_rate"] is None or 0 <= summary["kept_rate"] <= 1
    assert kept.exists()  # --keep: the scratch database stays for a look afterwards ...
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0  # ... and the app's own is untouched
    script = subprocess.run([sys.executable, "benchmarks/simulation.py", *A_DAY], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, check=True)
    assert json.loads(script.stdout.strip().splitlines()[-1]) == summary  # the same shop, the same figures


def test_simulate_refuses_an_unknown_scenario_or_day(app):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["promises", "simulate", "--scenario", "flood", "--days", "1"])
    assert unknown.exit_code == 2 and "mix, surge, station-down, clearance" in unknown.output
    bad_day = runner.invoke(args=["promises", "simulate", "--start", "03/08/2026", "--days", "1"])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output
