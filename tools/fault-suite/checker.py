"""Checks one scenario: the sink's output (OUT/batch=<id> Parquet, message ids) against the
firehose's accounting (ids 1..N, each acked how often), and prints the suite's table.

lost: an id the firehose served and counted acked that no batch's output holds. (A run that
timed out before the firehose saw every message acked reports "not drained" instead.)
duplicated: ids in more than one batch's output. A duplicate is explained when the firehose
redelivered it because of a fault it injected (its --redeliveries-file: a response held past the
lease, an ignored or failed ack, a stream ended under the lease), or when the batch that first
held it completed (its progress, else its commit file) inside a strike's window (from the
strike to the end of an outage plus two ack deadlines): its acknowledgements could be lost with
the strike, so Pub/Sub redelivers.
For the sink scenarios, read is the messages Google's client pulled from the topic, in output
the distinct values among them, lost the values 0..N-1 it did not find, and duplicated the
values published more than once (at least once is the sink's contract).
recovery: per strike, the seconds from the strike until throughput was back to half its rate
before the first strike, after the dip the strike caused (recovery_seconds)."""
import json
import os

import pyarrow.dataset as ds

OUTAGE_S = 30
# Causes in the firehose's --redeliveries-file that are the scenario's own faults (a lapsed lease
# alone is not: that would be the connector failing to extend or acknowledge in time).
INJECTED = {"held_past_lease", "ack_ignored", "ack_failed", "stream_ended"}


def redelivery_causes(path):
    """{message id: set of causes} of the messages the firehose served more than once."""
    causes = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                message_id, _deliveries, why = line.split()
                causes[message_id] = set() if why == "-" else set(why.split(","))
    return causes


def output_by_id(out):
    """{message id: [batch ids holding it]}."""
    holders = {}
    if not os.path.isdir(out):
        return holders
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table(
        columns=["message_id", "batch"])
    for message_id, batch in zip(table.column("message_id").to_pylist(),
                                 table.column("batch").to_pylist()):
        holders.setdefault(message_id, []).append(int(batch))
    return holders


def progress_events(progress):
    """The driver's progress lines in order: {batch, rows, at (completion seen, epoch s)}."""
    if not os.path.exists(progress):
        return []
    with open(progress) as f:
        return [json.loads(line) for line in f]


def batch_completion_times(events, checkpoint):
    """{batch id: when it completed}: when the driver's progress showed it, else when Spark wrote
    its commit file. A driver killed within moments of a batch's commit never reports its
    progress, and its executors die before they acknowledge it: the acknowledgements follow the
    commit log through the commit signal, polled every 200 ms on each side."""
    done = {}
    commits = os.path.join(checkpoint, "commits")
    if os.path.isdir(commits):
        for name in os.listdir(commits):
            if name.isdigit():
                done[int(name)] = os.path.getmtime(os.path.join(commits, name))
    for event in events:
        done[event["batch"]] = event["at"]
    return done


def recovery_seconds(events, fault_times, window_s=60, span_s=4.0, step_s=0.5):
    """Seconds from each strike until throughput recovered (None: it never did). Throughput at a
    moment is the rows of the batches completed in the span_s before it; full is half the rate
    before the first strike. A strike's dip is the first moment within window_s after it (and
    before the last batch with rows: the end of the data is no dip) when throughput is below
    full; it recovered at the first batch after the dip that brings it back to full, or at the
    last batch with rows when too few were left to fill a span. No dip: 0. A gap (a driver
    restarting) and small batches (sessions refilling) both show as a dip."""
    if not fault_times:
        return []
    data = [e for e in events if e["rows"] > 0]
    before = [e for e in data if e["at"] < fault_times[0]]
    if len(before) < 2 or before[-1]["at"] <= before[0]["at"]:
        return [None] * len(fault_times)
    full = 0.5 * sum(e["rows"] for e in before[1:]) / (before[-1]["at"] - before[0]["at"])
    last_data = data[-1]["at"]

    def rate(t):
        return sum(e["rows"] for e in data if t - span_s < e["at"] <= t) / span_s

    recoveries = []
    for fault in fault_times:
        moments = (fault + k * step_s for k in range(1, int(window_s / step_s) + 1))
        dip = next((t for t in moments if t <= last_data and rate(t) < full), None)
        if dip is None:
            recoveries.append(0.0)
            continue
        after = [e for e in data if e["at"] > dip]
        back = next((e["at"] for e in after if rate(e["at"]) >= full), None)
        if back is None and sum(e["rows"] for e in after) < full * span_s:
            back = last_data  # too few messages were left to fill a span
        recoveries.append(round(back - fault, 1) if back is not None else None)
    return recoveries


def check(run, wall, ack_deadline_s):
    with open(run.report_file) as f:
        report = json.load(f)
    holders = output_by_id(run.out)
    ids = [str(i) for i in range(1, run.messages + 1)]
    drained = report["never_acked"] == 0 and report["acked_once"] + report[
        "acked_more_than_once"] == run.messages
    lost = [i for i in ids if i not in holders]
    events = progress_events(run.progress)
    completed = batch_completion_times(events, run.checkpoint)
    recoveries = recovery_seconds(events, run.fault_times)
    windows = [(t - 2, t + OUTAGE_S + 2 * ack_deadline_s) for t in run.fault_times]
    dups = {i: b for i, b in holders.items() if len(b) > 1}
    causes = redelivery_causes(run.redeliveries_file)

    def why(message_id):
        """The injected causes of a duplicate, else "strike" if a strike explains it, else ""."""
        injected = "+".join(sorted(causes.get(message_id, set()) & INJECTED))
        first = completed.get(min(dups[message_id]), 0)
        return injected or ("strike" if any(lo <= first <= hi for lo, hi in windows) else "")

    reasons = {i: why(i) for i in dups}
    unexplained = [i for i, reason in reasons.items() if not reason]
    by_cause = {}
    for reason in reasons.values():
        by_cause[reason or "unexplained"] = by_cause.get(reason or "unexplained", 0) + 1
    return {
        "scenario": run.s.name, "reps": run.strikes, "published": run.messages,
        "read": report["distinct_served"], "in_output": len(holders),
        "lost": len(lost) if drained else None, "duplicated": len(dups),
        "unexplained": len(unexplained), "redelivered": report["redelivered"],
        "wall_s": round(wall), "drained": drained, "error": "", "recovery_s": recoveries,
        "strikes_at_s": [round(t - run.began, 1) for t in run.fault_times],
        "ok": drained and not lost and not unexplained, "duplicates_by_cause": by_cause,
        "examples": {"lost": lost[:5], "unexplained": [
            (i, sorted(causes.get(i, [])), dups[i]) for i in unexplained[:5]]},
    }


def check_sink(run, wall, pulled):
    """The sink wrote the values 0..N-1 as payloads; `pulled` is what Google's client found."""
    missing = [str(i) for i in range(run.messages) if str(i) not in pulled]
    recoveries = recovery_seconds(progress_events(run.progress), run.fault_times)
    return {
        "scenario": run.s.name, "reps": run.strikes, "published": run.messages,
        "read": sum(pulled.values()), "in_output": len(pulled), "lost": len(missing),
        "duplicated": sum(1 for n in pulled.values() if n > 1), "unexplained": None,
        "redelivered": None, "wall_s": round(wall), "drained": True, "error": "",
        "recovery_s": recoveries, "strikes_at_s": [round(t - run.began, 1) for t in run.fault_times],
        "ok": not missing, "examples": {"lost": missing[:5]},
    }


def failed(run, error):
    return {"scenario": run.s.name, "reps": run.strikes, "published": run.messages,
            "read": None, "in_output": None, "lost": None, "duplicated": None,
            "unexplained": None, "redelivered": None, "wall_s": None, "drained": False,
            "recovery_s": [],
            "error": error, "ok": False, "examples": {}}


def recovery_cell(recoveries):
    """'-' without strikes, else the worst strike's recovery ('never' if one did not recover)."""
    if not recoveries:
        return "-"
    if None in recoveries:
        return "never"
    return "max %.0f" % max(recoveries)


def table(results):
    head = ("scenario", "reps", "published", "read", "in output", "lost", "duplicated",
            "unexplained", "redelivered", "recovery s", "wall s", "result")
    rows = [head]
    for r in results:
        def cell(key):
            return "-" if r[key] is None else "{:,}".format(r[key])
        result = "ok" if r["ok"] else ("not drained" if not r["error"] and not r["drained"]
                                        else "FAIL " + r["error"][:60])
        rows.append((r["scenario"], cell("reps"), cell("published"), cell("read"),
                     cell("in_output"), cell("lost"), cell("duplicated"), cell("unexplained"),
                     cell("redelivered"), recovery_cell(r["recovery_s"]), cell("wall_s"), result))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    for r in results:
        if r.get("duplicates_by_cause"):
            lines.append("duplicates of %s by cause: %s" % (r["scenario"], ", ".join(
                "%s %s" % (cause, "{:,}".format(n)) for cause, n in sorted(r["duplicates_by_cause"].items()))))
    return "\n".join(["", "==================== fault suite ===================="] + lines)
