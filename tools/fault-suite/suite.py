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
import published
import soak
from cluster import Cluster, SPARK_SUBMIT, kill_group, spark_env

HERE = os.path.dirname(os.path.abspath(__file__))
FIREHOSE = os.environ.get("FIREHOSE_BIN", "")
CONNECTOR_JAR = os.environ.get("CONNECTOR_JAR", "")
SUBSCRIPTION = "projects/faults/subscriptions/firehose"
ACK_DEADLINE_S = 10
OUTAGE_S = checker.OUTAGE_S
RATE = 2_000  # messages per second a read takes at most (maxMessagesPerTrigger, 1 s trigger)
SOAK_RATE = 2_000  # messages per second
WORKERS = 2


class Scenario:
    """name, kind (read, sink or soak), replayLog mode, repetitions (short, full), and what it
    does to the running query: `strike(run)` is called every `every_s` seconds, at most reps
    times, once a micro-batch with messages completed."""

    def __init__(self, name, mode, reps, strike=None, every_s=8, firehose_flags=(),
                 messages=(30_000, 200_000), kind="read", duration_s=(0, 0)):
        self.name, self.mode, self.reps, self.kind = name, mode, reps, kind
        self.duration_s = duration_s
        self.strike, self.every_s = strike, every_s
        self.firehose_flags, self.messages = list(firehose_flags), messages


def kill_an_executor(run):
    pids = run.cluster.executor_pids()
    if not pids:
        return False
    os.kill(pids[0], signal.SIGKILL)
    return True


def kill_the_driver(run):
    """Only once the driver (or its restart) completed a batch: each kill then tests a recovery."""
    if not any(e["at"] > run.driver_started for e in run.events()):
        return False
    kill_group(run.driver)
    run.start_driver()  # the restart recovers from the same checkpoint
    return True


def signal_an_outage(run):
    os.kill(run.outage_pid(), signal.SIGUSR1)
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
    Scenario("driver-kill/checkpoint", "checkpoint", (1, 5), kill_the_driver, every_s=10),
    Scenario("driver-kill/memory", "memory", (1, 5), kill_the_driver, every_s=10),
    Scenario("stream-drops", "memory", (0, 0), firehose_flags=["--drop-stream-every", "5000"]),
    Scenario("outage-30s", "memory", (1, 1), signal_an_outage, every_s=5,
             firehose_flags=["--outage-on-signal-secs", str(OUTAGE_S)]),
    Scenario("stall-past-deadline", "memory", (0, 0),
             firehose_flags=["--stall-ms", "15000", "--stall-every", "20000"]),
    Scenario("rejected-acks", "memory", (0, 0), firehose_flags=["--reject-ack-share", "0.05"]),
    Scenario("churn-2-4-2", "memory", (4, 4), churn, every_s=6),
    Scenario("sink/executor-kill", None, (2, 20), kill_an_executor, kind="sink"),
    Scenario("sink/driver-kill", None, (1, 5), kill_the_driver, every_s=10, kind="sink"),
    Scenario("sink/outage-30s", None, (1, 1), signal_an_outage, every_s=5, kind="sink"),
    Scenario("soak", "memory", (0, 0), kind="soak", duration_s=(240, 1800)),
]


class Run:
    """One scenario: its server, cluster and driver, and what happened when. Subclasses say
    which server, which application, and when the run is over."""

    app = None
    duration_s = 0  # a run of a set length (the soak) adds it to the timeout

    def __init__(self, scenario, form, workdir):
        self.s, self.form = scenario, form
        self.full = form == "full"
        self.dir = os.path.join(workdir, scenario.name.replace("/", "-"))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.reps = scenario.reps[self.full]
        # enough messages that the query still reads when the last strike comes
        self.messages = max(scenario.messages[self.full],
                            RATE * (self.reps * scenario.every_s + 10))
        self.progress = os.path.join(self.dir, "progress.jsonl")
        self.stop_file = os.path.join(self.dir, "stop")
        self.checkpoint = os.path.join(self.dir, "checkpoint")
        self.strikes = 0
        self.fault_times = []
        self.driver_starts = 0

    def start_driver(self):
        self.driver_starts += 1
        self.driver_started = time.time()
        log = open(os.path.join(self.dir, "driver-%d.log" % self.driver_starts), "w")
        confs = {"spark.executor.memory": "768m", "spark.ui.enabled": "false",
                 "spark.driver.host": "127.0.0.1", "spark.task.maxFailures": "8"}
        confs.update(self.spark_confs())
        command = [SPARK_SUBMIT, "--master", self.cluster.url, "--jars", CONNECTOR_JAR]
        for key, value in confs.items():
            command += ["--conf", "%s=%s" % (key, value)]
        command += [os.path.join(HERE, self.app), "--progress", self.progress,
                    "--stop-file", self.stop_file, "--checkpoint", self.checkpoint]
        self.driver = subprocess.Popen(
            command + self.app_args(), env=spark_env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def spark_confs(self):
        return {}

    def execute(self, cluster, timeout_s):
        self.began = time.time()
        self.cluster = cluster
        cluster.resize(WORKERS)  # a scenario that changed the cluster may have ended early
        self.start_server()
        try:
            self.start_driver()
            self._strike_until_done(timeout_s)
        finally:
            open(self.stop_file, "w").close()
            try:
                self.driver.wait(timeout=60)
            except subprocess.TimeoutExpired:
                kill_group(self.driver)
            self.stop_server()
        return time.time() - self.began

    def _strike_until_done(self, timeout_s):
        next_strike = None  # set once the query has completed a batch with messages
        while not self.done() and time.time() - self.began < timeout_s:
            if self.driver.poll() is not None and self.driver.returncode != 0:
                raise RuntimeError("the driver exited with %d; see %s" % (
                    self.driver.returncode, self.dir))
            if next_strike is None and any(e["rows"] > 0 for e in self.events()):
                next_strike = time.time() + self.s.every_s
            if self.strikes < self.reps and next_strike and time.time() >= next_strike:
                if self.s.strike(self):
                    self.strikes += 1
                    self.fault_times.append(time.time())
                next_strike = time.time() + self.s.every_s
            self.tick()
            time.sleep(0.5)

    def events(self):
        return checker.progress_events(self.progress)

    def tick(self):
        """Called twice a second while the run lasts."""


class ReadRun(Run):
    """The connector reads a fresh firehose into foreachBatch's output; done once the firehose
    saw every message acked."""

    app = "driver_app.py"
    max_per_trigger, trigger = RATE, "1 second"

    def __init__(self, scenario, form, workdir):
        super().__init__(scenario, form, workdir)
        self.out = os.path.join(self.dir, "out")
        self.report_file = os.path.join(self.dir, "firehose-report.json")
        self.redeliveries_file = os.path.join(self.dir, "redeliveries.txt")

    def start_server(self):
        log = open(os.path.join(self.dir, "firehose.log"), "w")
        self.firehose = subprocess.Popen(
            [FIREHOSE, "--messages", str(self.firehose_messages()), "--size", "256",
             "--ack-deadline-secs", str(ACK_DEADLINE_S), "--exit-after-acked",
             "--report-file", self.report_file, "--redeliveries-file", self.redeliveries_file,
             "--watch-pid", str(os.getpid())]
            + self.s.firehose_flags,
            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        self.host_port = _listening(self.firehose, "FIREHOSE_LISTENING", log.name)

    def firehose_messages(self):
        return self.messages

    def app_args(self):
        return ["--host", self.host_port, "--subscription", SUBSCRIPTION,
                "--mode", self.s.mode, "--out", self.out,
                "--max-per-trigger", str(self.max_per_trigger), "--trigger", self.trigger,
                # Leases of a killed executor come back after ACK_DEADLINE_S, not 60 s, and
                # each session holds about two batches ahead: held longer than the extension,
                # a message would lapse and come back as a duplicate of the suite's making.
                "--option", "maxAckExtensionSeconds=%d" % ACK_DEADLINE_S,
                "--option", "maxOutstandingMessages=%d" % (3 * self.max_per_trigger // 2)]

    def outage_pid(self):
        return self.firehose.pid

    def done(self):
        return self.firehose.poll() is not None

    def stop_server(self):
        if self.firehose.poll() is None:
            self.firehose.send_signal(signal.SIGTERM)  # prints the report
            self.firehose.wait(timeout=30)

    def check(self, wall):
        return checker.check(self, wall, ACK_DEADLINE_S)


class SoakRun(ReadRun):
    """A steady SOAK_RATE messages per second for `messages` seconds on an undisturbed cluster,
    sampling the executors every 10 s (short) or 60 s (full); the executors' heaps are committed up front
    (-Xms = -Xmx, pre-touched), so their resident memory moves only with native memory."""

    max_per_trigger, trigger = SOAK_RATE * 2, "2 seconds"

    def __init__(self, scenario, form, workdir):
        super().__init__(scenario, form, workdir)
        self.duration_s = scenario.duration_s[self.full]
        self.messages = self.duration_s * SOAK_RATE
        self.sample_s = 60 if self.full else 10
        self.warmup_s = 300 if self.full else 90
        self.offheap_samples = os.path.join(self.dir, "offheap-samples.jsonl")
        self.samples = []
        self.pids = None
        self.next_sample = None

    def spark_confs(self):
        return {"spark.executor.extraJavaOptions": "-Xms768m -XX:+AlwaysPreTouch"}

    def app_args(self):
        return super().app_args() + ["--offheap-samples", self.offheap_samples,
                                     "--sample-s", str(max(2, self.sample_s / 6))]

    def tick(self):
        now = time.time()
        if self.next_sample is None:
            self.next_sample = now
        if self.pids is None:
            pids = self.cluster.executor_pids()
            if len(pids) == WORKERS:
                # the same JVMs from then on: one that dies shows as a missing executor
                self.pids = pids
        if now >= self.next_sample:
            self.samples.append(soak.sample(
                self.began, self.pids or [], self.offheap_samples, now - self.sample_s))
            self.next_sample += self.sample_s

    def check(self, wall):
        result = super().check(wall)
        verdict = soak.flatness(self.samples, self.warmup_s)
        result["soak"] = {"samples": self.samples, "warmup_s": self.warmup_s,
                          "verdict": {k: list(v) for k, v in verdict.items()}}
        result["ok"] = result["ok"] and all(v[3] for v in verdict.values())
        print(soak.curve_table(self.samples, verdict), flush=True)
        with open(os.path.join(self.dir, "soak.json"), "w") as f:
            json.dump(result["soak"], f, indent=1)
        return result


class SinkRun(Run):
    """The connector writes N rows (rate-micro-batch values 0..N-1 as payloads) to a fresh
    topic of the emulator, through a proxy that can cut it off; done once the batch holding the
    last value committed. Google's client then pulls the topic's subscription."""

    app = "sink_app.py"
    rows_per_batch = RATE

    def start_server(self):
        self.topic, self.subscription = published.create_topic_and_subscription()
        log = open(os.path.join(self.dir, "proxy.log"), "w")
        self.proxy = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "proxy.py"), "--target",
             os.environ["PUBSUB_EMULATOR_HOST"], "--outage-s", str(OUTAGE_S)],
            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        self.host_port = _listening(self.proxy, "PROXY_LISTENING", log.name)

    def app_args(self):
        return ["--host", self.host_port, "--topic", self.topic, "--messages", str(self.messages),
                "--rows-per-batch", str(self.rows_per_batch), "--trigger", "1 second"]

    def outage_pid(self):
        return self.proxy.pid

    def done(self):
        last = -(-self.messages // self.rows_per_batch) - 1
        return any(e["batch"] >= last for e in self.events())

    def stop_server(self):
        kill_group(self.proxy)

    def check(self, wall):
        return checker.check_sink(self, wall, published.pull_all(self.subscription))


RUNS = {"read": ReadRun, "sink": SinkRun, "soak": SoakRun}


def _listening(process, marker, log_name):
    """host:port from the `MARKER host:port` line a freshly started server prints."""
    for line in process.stdout:
        if line.startswith(marker):
            return line.split()[1]
    raise RuntimeError("%s did not start; see %s" % (os.path.basename(process.args[0]), log_name))


def chosen(names, form):
    """The scenarios named (comma-separated), else all: the soak, a long run of its own, only in
    the full form (run.sh --scenarios soak runs its 4-minute short form)."""
    if not names:
        return [s for s in SCENARIOS if form == "full" or s.kind != "soak"]
    by_name = {s.name: s for s in SCENARIOS}
    unknown = [n for n in names.split(",") if n not in by_name]
    if unknown:
        sys.exit("unknown scenario(s) %s; known: %s" % (", ".join(unknown), ", ".join(by_name)))
    return [by_name[n] for n in names.split(",")]


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
    results = []
    cluster = Cluster(os.path.join(workdir, "cluster"), workers=WORKERS)
    try:
        for s in chosen(a.scenarios, a.form):
            run = RUNS[s.kind](s, a.form, workdir)
            print("[fault-suite] %s: %d messages, %d strikes ..." % (
                s.name, run.messages, run.reps), flush=True)
            try:
                results.append(run.check(run.execute(cluster, a.timeout_s + run.duration_s)))
            except Exception as e:  # one broken scenario must not hide the others' results
                results.append(checker.failed(run, str(e)))
    finally:
        cluster.stop()
    print(checker.table(results))
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("[fault-suite] logs and output under %s" % workdir)
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
