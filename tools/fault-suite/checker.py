"""Checks one scenario: the sink's output (OUT/batch=<id> Parquet, message ids) against the
firehose's accounting (ids 1..N, each acked how often), and prints the suite's table.

lost: an id the firehose served and counted acked that no batch's output holds. (A run that
timed out before the firehose saw every message acked reports "not drained" instead.)
duplicated: ids in more than one batch's output. A duplicate is explained when the batch that
first held it completed inside a fault's window (from the strike to the end of the outage plus
two ack deadlines): its acknowledgements could be lost with the fault, so Pub/Sub redelivers."""
import json
import os

import pyarrow.dataset as ds

OUTAGE_S = 30


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


def batch_completion_times(progress):
    done = {}
    if os.path.exists(progress):
        with open(progress) as f:
            for line in f:
                event = json.loads(line)
                done.setdefault(event["batch"], event["at"])
    return done


def check(run, wall, ack_deadline_s):
    with open(run.report_file) as f:
        report = json.load(f)
    holders = output_by_id(run.out)
    ids = [str(i) for i in range(1, run.messages + 1)]
    drained = report["never_acked"] == 0 and report["acked_once"] + report[
        "acked_more_than_once"] == run.messages
    lost = [i for i in ids if i not in holders]
    completed = batch_completion_times(run.progress)
    windows = [(t - 2, t + OUTAGE_S + 2 * ack_deadline_s) for t in run.fault_times]
    dups = {i: b for i, b in holders.items() if len(b) > 1}
    unexplained = [
        i for i, batches in dups.items()
        if not any(lo <= completed.get(min(batches), 0) <= hi for lo, hi in windows)
    ]
    return {
        "scenario": run.s.name, "reps": run.strikes, "published": run.messages,
        "read": report["distinct_served"], "in_output": len(holders),
        "lost": len(lost) if drained else None, "duplicated": len(dups),
        "unexplained": len(unexplained), "redelivered": report["redelivered"],
        "wall_s": round(wall), "drained": drained, "error": "",
        "ok": drained and not lost and not unexplained,
        "examples": {"lost": lost[:5], "unexplained": unexplained[:5]},
    }


def failed(run, error):
    return {"scenario": run.s.name, "reps": run.strikes, "published": run.messages,
            "read": None, "in_output": None, "lost": None, "duplicated": None,
            "unexplained": None, "redelivered": None, "wall_s": None, "drained": False,
            "error": error, "ok": False, "examples": {}}


def table(results):
    head = ("scenario", "reps", "published", "read", "in output", "lost", "duplicated",
            "unexplained", "redelivered", "wall s", "result")
    rows = [head]
    for r in results:
        def cell(key):
            return "-" if r[key] is None else "{:,}".format(r[key])
        result = "ok" if r["ok"] else ("not drained" if not r["error"] and not r["drained"]
                                        else "FAIL " + r["error"][:60])
        rows.append((r["scenario"], cell("reps"), cell("published"), cell("read"),
                     cell("in_output"), cell("lost"), cell("duplicated"), cell("unexplained"),
                     cell("redelivered"), cell("wall_s"), result))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(["", "==================== fault suite ===================="] + lines)
