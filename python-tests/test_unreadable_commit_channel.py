"""Executors that cannot read the query's checkpoint fail the query, quickly and saying why
(DESIGN §4, "Ack on commit": an executor that cannot read the commit channel fails the query with
a message that says so, instead of never acknowledging).

A standalone master and worker are started with pyspark's own bin/spark-class on 127.0.0.1; the
worker runs in a private mount namespace (`unshare -m`) with a fresh tmpfs mounted over the folder
that holds the checkpoint, so its executors see an empty folder where the driver writes the
checkpoint (as with a checkpoint on the driver's local disk). Every process started here is
stopped when the test ends, also when it fails.
"""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from support import (
    EMULATOR, await_executors, create_topic_and_subscription, publish_integers,
    requires_emulator_and_jar, spark_session,
)

FAIL_WITHIN_S = 120

pytestmark = requires_emulator_and_jar


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home():
    import pyspark

    return os.path.dirname(os.path.abspath(pyspark.__file__))


def unshare_works():
    try:
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def wait_for(what, cond, timeout_s, procs=()):
    deadline = time.time() + timeout_s
    while not cond():
        for name, p, log in procs:
            if p.poll() is not None:
                pytest.fail("%s exited (%s) while waiting for %s; log tail:\n%s"
                            % (name, p.returncode, what, tail(log)))
        if time.time() > deadline:
            pytest.fail("timed out after %d s waiting for %s" % (timeout_s, what))
        time.sleep(0.3)


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return "(no log: %s)" % e


def alive_workers(ui_port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/json/" % ui_port, timeout=5) as r:
            return json.load(r).get("aliveworkers", 0)
    except (OSError, ValueError):
        return 0


def stop_group(proc, timeout_s=20):
    """SIGTERM to the process group this test started (its own session), then SIGKILL."""
    if proc is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout_s)
            # the group may hold executors the worker started: make sure they are gone too
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture()
def standalone(workdir):
    if not unshare_works():
        pytest.skip("`unshare -m` with a tmpfs mount does not work here (needs root or CAP_SYS_ADMIN)")
    home = spark_home()
    spark_class = os.path.join(home, "bin", "spark-class")
    shadowed = os.path.join(workdir, "driver-only")
    worker_dir = os.path.join(workdir, "worker")
    os.makedirs(shadowed)
    os.makedirs(worker_dir)
    env = dict(os.environ, SPARK_HOME=home, SPARK_NO_DAEMONIZE="1", SPARK_LOCAL_IP="127.0.0.1")
    master_port, master_ui, worker_port, worker_ui = (free_port() for _ in range(4))
    master_log = os.path.join(workdir, "master.log")
    worker_log = os.path.join(workdir, "worker.log")
    master = worker = None
    try:
        with open(master_log, "wb") as log:
            master = subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                 "--port", str(master_port), "--webui-port", str(master_ui)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
        procs = [("master", master, master_log)]
        wait_for("the master to listen", lambda: _listening(master_port), 90, procs)
        master_url = "spark://127.0.0.1:%d" % master_port
        worker_cmd = "mount -t tmpfs tmpfs %s && exec %s" % (shlex.quote(shadowed), " ".join(
            shlex.quote(a) for a in [
                spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", str(worker_port), "--webui-port", str(worker_ui), "--cores", "2",
                "--memory", "2g", "--work-dir", worker_dir, master_url]))
        with open(worker_log, "wb") as log:
            worker = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                                       worker_cmd], stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, start_new_session=True)
        procs.append(("worker", worker, worker_log))
        wait_for("the worker to register", lambda: alive_workers(master_ui) >= 1, 90, procs)
        yield {"master": master_url, "shadowed": shadowed, "logs": (master_log, worker_log)}
    finally:
        stop_group(worker)
        stop_group(master)


def _listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_executors_that_cannot_read_the_checkpoint_fail_the_query_saying_so(standalone):
    assert os.path.isdir(standalone["shadowed"])
    spark = spark_session(standalone["master"], "pubsub-unreadable-commit-channel", {
        "spark.executor.cores": "1",
        "spark.executor.memory": "768m",
        "spark.cores.max": "2",
    })
    try:
        await_executors(spark, 1)
        topic_id, sub_path = create_topic_and_subscription("unreadable", 10)
        publish_integers(topic_id, 200)
        checkpoint = os.path.join(standalone["shadowed"], "checkpoint")
        started = time.time()
        query = (
            spark.readStream.format("pubsub")
            .option("subscriptionId", sub_path)
            .option("emulatorHost", EMULATOR)
            .option("parallelism", "2")
            .load()
            .writeStream.format("noop")
            .option("checkpointLocation", checkpoint)
            .trigger(processingTime="1 second")
            .start()
        )
        try:
            ended = query.awaitTermination(FAIL_WITHIN_S + 60)
        except Exception:  # it failed, as it should; query.exception() has the error
            ended = True
        elapsed = time.time() - started
        if not ended:
            query.stop()
        exc = query.exception()
        assert ended and exc is not None, (
            "the query %s after %.0f s although its executors cannot read the checkpoint"
            % ("still ran" if not ended else "ended without an error", elapsed))
        text = str(exc)
        assert re.search(r"storage every executor can read", text), text
        assert "checkpoint" in text.lower(), text
        assert elapsed < FAIL_WITHIN_S, "the query took %.0f s to fail (limit %d s)" % (
            elapsed, FAIL_WITHIN_S)
        assert os.path.isdir(os.path.join(checkpoint, "sources")), (
            "the driver wrote the checkpoint where the executors cannot see it")
    finally:
        spark.stop()
