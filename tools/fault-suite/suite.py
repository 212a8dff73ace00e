"""The fault suite: each scenario reads N messages from a fresh firehose through the connector on
a Spark standalone cluster (separate executor JVMs) while a fault strikes, until the firehose
has every message acked, then checks the sink's output against the firehose's accounting and
prints one table.

    python suite.py --form short|full [--scenarios a,b] [--workdir DIR]

Run through tools/fault-suite/run.sh, which provides the venv, the jar and the firehose."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import checker
from cluster import Cluster, SPARK_SUBMIT, kill_group, spark_env

HERE = os.path.dirname(os.path.abspath(__file__))
FIREHOSE = os.environ.get("FIREHOSE_BIN", "")
CONNECTOR_JAR = os.environ.get("CONNECTOR_JAR", "")
SUBSCRIPTION = "projects/faults/subscriptions/firehose"
ACK_DEADLINE_S = 10


class Scenario:
    """name, firehose flags, replayLog mode, repetitions (short, full), and what it does to the
    running query: `strike(run)` is called every `every_s` seconds, at most reps times."""

    def __init__(self, name, mode, reps, strike=None, every_s=8, firehose_flags=(),
                 messages=(60_000, 200_000)):
        self.name, self.mode, self.reps = name, mode, reps
        self.strike, self.every_s = strike, every_s
        self.firehose_flags, self.messages = list(firehose_flags), messages


def kill_an_executor(run):
    pids = run.cluster.executor_pids()
    if not pids:
        return False
    os.kill(pids[0], signal.SIGKILL)
    return True


def kill_the_driver(run):
    kill_group(run.driver)
    run.start_driver()  # the restart recovers from the same checkpoint
    return True


def signal_an_outage(run):
    os.kill(run.firehose.pid, signal.SIGUSR1)
    return True


def churn(run):
    """2 -> 4 -> 2 workers: two strikes add, the next two kill (with their executors)."""
    if run.strikes < 2:
        run.cluster.add_worker()
    else:
        run.cluster.kill_worker()
    return True


SCENARIOS = [
    Scenario("executor-kill/memory", "memory", (2, 20), kill_an_executor),
    Scenario("executor-kill/checkpoint", "checkpoint", (2, 20), kill_an_executor),
    Scenario("driver-kill/checkpoint", "checkpoint", (1, 5), kill_the_driver, every_s=15),
    Scenario("driver-kill/memory", "memory", (1, 5), kill_the_driver, every_s=15),
    Scenario("stream-drops", "memory", (0, 0), firehose_flags=["--drop-stream-every", "5000"]),
    Scenario("outage-30s", "memory", (1, 1), signal_an_outage, every_s=5,
             firehose_flags=["--outage-on-signal-secs", "30"]),
    Scenario("stall-past-deadline", "memory", (0, 0),
             firehose_flags=["--stall-ms", "15000", "--stall-every", "20000"]),
    Scenario("rejected-acks", "memory", (0, 0), firehose_flags=["--reject-ack-share", "0.05"]),
    Scenario("churn-2-4-2", "memory", (4, 4), churn, every_s=10),
]


class Run:
    """One scenario: its firehose, cluster and driver, and what happened when."""

    def __init__(self, scenario, form, workdir):
        self.s, self.form = scenario, form
        self.dir = os.path.join(workdir, scenario.name.replace("/", "-"))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.messages = scenario.messages[0 if form == "short" else 1]
        self.reps = scenario.reps[0 if form == "short" else 1]
        self.out = os.path.join(self.dir, "out")
        self.progress = os.path.join(self.dir, "progress.jsonl")
        self.stop_file = os.path.join(self.dir, "stop")
        self.report_file = os.path.join(self.dir, "firehose-report.json")
        self.strikes = 0
        self.fault_times = []
        self.driver_starts = 0

    def start_firehose(self):
        log = open(os.path.join(self.dir, "firehose.log"), "w")
        self.firehose = subprocess.Popen(
            [FIREHOSE, "--messages", str(self.messages), "--size", "256",
             "--ack-deadline-secs", str(ACK_DEADLINE_S), "--exit-after-acked",
             "--report-file", self.report_file, "--watch-pid", str(os.getpid())]
            + self.s.firehose_flags,
            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        for line in self.firehose.stdout:
            if line.startswith("FIREHOSE_LISTENING"):
                self.host_port = line.split()[1]
                return
        raise RuntimeError("the firehose did not start; see %s" % log.name)

    def start_driver(self):
        self.driver_starts += 1
        log = open(os.path.join(self.dir, "driver-%d.log" % self.driver_starts), "w")
        self.driver = subprocess.Popen(
            [SPARK_SUBMIT, "--master", self.cluster.url, "--jars", CONNECTOR_JAR,
             "--conf", "spark.executor.memory=768m", "--conf", "spark.ui.enabled=false",
             "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.task.maxFailures=8",
             os.path.join(HERE, "driver_app.py"),
             "--host", self.host_port, "--subscription", SUBSCRIPTION, "--mode", self.s.mode,
             "--out", self.out, "--checkpoint", os.path.join(self.dir, "checkpoint"),
             "--progress", self.progress, "--stop-file", self.stop_file,
             "--max-per-trigger", "10000", "--trigger", "1 second",
             "--option", "maxAckExtensionSeconds=%d" % ACK_DEADLINE_S],
            env=spark_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def execute(self, timeout_s):
        began = time.time()
        self.start_firehose()
        self.cluster = Cluster(self.dir, workers=2)
        try:
            self.start_driver()
            self._strike_until_drained(began, timeout_s)
        finally:
            open(self.stop_file, "w").close()
            try:
                self.driver.wait(timeout=60)
            except subprocess.TimeoutExpired:
                kill_group(self.driver)
            self.cluster.stop()
            if self.firehose.poll() is None:
                self.firehose.send_signal(signal.SIGTERM)  # prints the report
                self.firehose.wait(timeout=30)
        return time.time() - began

    def _strike_until_drained(self, began, timeout_s):
        next_strike = None  # set once the query has read its first messages
        while self.firehose.poll() is None and time.time() - began < timeout_s:
            if self.driver.poll() is not None and self.driver.returncode != 0:
                raise RuntimeError("the driver exited with %d; see %s" % (
                    self.driver.returncode, self.dir))
            if next_strike is None and self._has_read():
                next_strike = time.time() + self.s.every_s
            if self.strikes < self.reps and next_strike and time.time() >= next_strike:
                if self.s.strike(self):
                    self.strikes += 1
                    self.fault_times.append(time.time())
                next_strike = time.time() + self.s.every_s
            time.sleep(0.5)

    def _has_read(self):
        """Whether a micro-batch with messages completed (the query is past its start)."""
        if not os.path.exists(self.progress):
            return False
        with open(self.progress) as f:
            return any(json.loads(line)["rows"] > 0 for line in f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--form", choices=["short", "full"], default="short")
    p.add_argument("--scenarios", default="")
    p.add_argument("--workdir", default="")
    p.add_argument("--timeout-s", type=int, default=600, help="per scenario")
    a = p.parse_args()
    for what, path in (("FIREHOSE_BIN", FIREHOSE), ("CONNECTOR_JAR", CONNECTOR_JAR)):
        if not os.path.isfile(path):
            sys.exit("%s is not a file: %r (run tools/fault-suite/run.sh)" % (what, path))
    workdir = a.workdir or tempfile.mkdtemp(prefix="fault-suite-")
    wanted = set(filter(None, a.scenarios.split(",")))
    results = []
    for s in SCENARIOS:
        if wanted and s.name not in wanted:
            continue
        run = Run(s, a.form, workdir)
        print("[fault-suite] %s: %d messages, %d strikes ..." % (s.name, run.messages, run.reps),
              flush=True)
        try:
            wall = run.execute(a.timeout_s)
            results.append(checker.check(run, wall, ACK_DEADLINE_S))
        except Exception as e:  # one broken scenario must not hide the others' results
            results.append(checker.failed(run, str(e)))
    print(checker.table(results))
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("[fault-suite] logs and output under %s" % workdir)
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
