"""Re-reads of a micro-batch on another executor (DESIGN §4, "Replayable batches"), on a cluster
whose two executors are separate JVMs (local-cluster[2,1,1024]).

foreachBatch writes the batch to Parquet and then counts it; during the count one executor is kept
busy by a sleeping job, so (with spark.locality.wait=0s) the partition that executor read first is
re-read on the other one. With replayLog=memory that re-read must fail the task with the
documented error (and spark.task.maxFailures=1 fails the query); a restart from the same
checkpoint then reads everything. With replayLog=checkpoint the re-read replays the batch's file
and the query succeeds with every message exactly once.
"""
import os
import re
import threading
import time
import uuid

import pytest

from support import (
    await_executors, create_topic_and_subscription, publish_integers, pull_all,
    requires_emulator_and_jar, spark_session, EMULATOR,
)

N = 600
PER_TRIGGER = 200
ACK_DEADLINE_S = 10
BUSY_SECONDS = 15

pytestmark = requires_emulator_and_jar


@pytest.fixture(scope="module")
def cluster():
    session = spark_session(
        "local-cluster[2,1,1024]", "pubsub-replay-cluster-it",
        {"spark.locality.wait": "0s", "spark.task.maxFailures": "1"},
    )
    try:
        await_executors(session, 2)
        yield session
    finally:
        session.stop()


def occupy_one_executor(spark, marker_dir, seconds):
    """Runs a one-task job that sleeps `seconds` on one executor (its only core); returns the
    thread once the task is running."""
    marker = os.path.join(marker_dir, "busy-" + uuid.uuid4().hex[:8])

    def sleeper(_):
        import time as t
        with open(marker, "w") as f:
            f.write("running")
        t.sleep(seconds)
        return [0]

    errors = []

    def run():
        try:
            spark.sparkContext.parallelize([0], 1).mapPartitions(sleeper).collect()
        except Exception as e:  # reported through `errors`
            errors.append(e)

    thread = threading.Thread(target=run, name="busy-executor", daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not os.path.exists(marker):
        assert not errors, "the sleeping job failed: %s" % errors
        assert time.time() < deadline, "the sleeping job did not start within 60 s"
        time.sleep(0.05)
    return thread


def parquet_count(spark, path):
    try:
        return spark.read.parquet(path).count()
    except Exception as e:  # an empty batch may leave no file to infer a schema from
        if "UNABLE_TO_INFER_SCHEMA" in str(e) or "Unable to infer schema" in str(e):
            return 0
        raise


def batch_writer(out_dir, state, force_reread):
    """foreachBatch: overwrite out/batch=<id>, then count the batch; the first batch with data
    counts while one executor is busy (if `force_reread`)."""

    def write_then_count(df, batch_id):
        spark = df.sparkSession
        path = os.path.join(out_dir, "batch=%d" % batch_id)
        df.write.mode("overwrite").parquet(path)
        written = parquet_count(spark, path)
        if force_reread and written > 0 and state.get("forced") is None:
            state["forced"] = batch_id
            busy = occupy_one_executor(spark, state["markers"], BUSY_SECONDS)
            try:
                n = df.count()
            except Exception as e:
                state["error"] = str(e)
                raise
            finally:
                busy.join(BUSY_SECONDS + 60)
        else:
            n = df.count()
        state["counts"][batch_id] = (n, written)

    return write_then_count


def run_query(spark, sub_path, checkpoint, replay_log, fn, timeout_s=240):
    """One AvailableNow run; returns (ended, exception or None)."""
    query = (
        spark.readStream.format("pubsub")
        .option("subscriptionId", sub_path)
        .option("emulatorHost", EMULATOR)
        .option("parallelism", "2")
        .option("replayLog", replay_log)
        .option("maxMessagesPerTrigger", str(PER_TRIGGER))
        .load()
        .writeStream.option("checkpointLocation", checkpoint)
        .trigger(availableNow=True)
        .foreachBatch(fn)
        .start()
    )
    try:
        ended = query.awaitTermination(timeout_s)
    except Exception:  # the query failed; query.exception() tells how
        ended = True
    if not ended:
        query.stop()
    return ended, query.exception()


def output_ids(spark, out_dir):
    """message_id -> how many rows of the whole output carry it."""
    if not os.path.isdir(out_dir) or not os.listdir(out_dir):
        return {}
    ids = {}
    for r in spark.read.parquet(out_dir).select("message_id").collect():
        ids[r.message_id] = ids.get(r.message_id, 0) + 1
    return ids


def drain(spark, sub_path, checkpoint, replay_log, out_dir, published, state, timeout_s=240):
    """AvailableNow runs (no forced re-read) until the output holds every published message."""
    deadline = time.time() + timeout_s
    ids = output_ids(spark, out_dir)
    while not set(published) <= set(ids) and time.time() < deadline:
        ended, exc = run_query(spark, sub_path, checkpoint, replay_log,
                               batch_writer(out_dir, state, False))
        assert ended and exc is None, "the restarted query failed: %s" % exc
        ids = output_ids(spark, out_dir)
        if not set(published) <= set(ids):
            time.sleep(2)
    return ids


def count_mismatches(state):
    return {b: c for b, c in state["counts"].items() if c[0] != c[1]}


def new_state(workdir):
    markers = os.path.join(workdir, "markers")
    os.makedirs(markers, exist_ok=True)
    return {"counts": {}, "forced": None, "markers": markers}


def test_memory_mode_re_read_on_another_executor_fails_clearly_and_a_restart_loses_nothing(
        cluster, workdir):
    topic_id, sub_path = create_topic_and_subscription("xexec-mem", ACK_DEADLINE_S)
    published = publish_integers(topic_id, N)
    out_dir = os.path.join(workdir, "out")
    checkpoint = os.path.join(workdir, "checkpoint")
    state = new_state(workdir)

    ended, exc = run_query(cluster, sub_path, checkpoint, "memory",
                           batch_writer(out_dir, state, True))
    assert state["forced"] is not None, "no batch with data was read"
    forced = state["forced"]
    if exc is None:
        ids = output_ids(cluster, out_dir)
        missing = set(published) - set(ids)
        pytest.fail(
            "the re-read of batch %d on the other executor should fail the query (replayLog=memory); "
            "the query %s instead. Output: %d of %d published messages (%d missing), batches whose "
            "count differs from the rows written: %s"
            % (forced, "ended normally" if ended else "still ran after 240 s", len(set(ids)),
               len(published), len(missing), count_mismatches(state)))
    text = str(exc) + "\n" + state.get("error", "")
    assert '.option("replayLog", "checkpoint")' in text, text
    assert "persist()" in text, text
    assert re.search(r"batch\D{0,3}%d\b" % forced, text), "the error names batch %d: %s" % (forced, text)
    assert re.search(r"partition\D{0,3}\d", text), "the error names the partition: %s" % text

    # restart from the same checkpoint, without the busy executor: nothing is lost
    ids = drain(cluster, sub_path, checkpoint, "memory", out_dir, published, new_state(workdir))
    missing = set(published) - set(ids)
    # past the ack deadline Google's client gets what was neither written nor acknowledged
    time.sleep(ACK_DEADLINE_S + 5)
    left = {m.message_id for m in pull_all(sub_path, max(1, len(missing)), ACK_DEADLINE_S + 5)}
    lost = missing - left
    problems = []
    if lost:
        problems.append("lost %d of %d messages: acknowledged, yet in no batch's output"
                        % (len(lost), len(published)))
    if missing - lost:
        problems.append("%d messages not in the output but still in the subscription"
                        % len(missing - lost))
    if left:
        problems.append("%d messages unacknowledged after the drain" % len(left))
    assert not problems, "after the restart: " + "; ".join(problems)


def test_checkpoint_mode_re_read_on_another_executor_replays_exactly_once(cluster, workdir):
    topic_id, sub_path = create_topic_and_subscription("xexec-cp", ACK_DEADLINE_S)
    published = publish_integers(topic_id, N)
    out_dir = os.path.join(workdir, "out")
    checkpoint = os.path.join(workdir, "checkpoint")
    state = new_state(workdir)

    ended, exc = run_query(cluster, sub_path, checkpoint, "checkpoint",
                           batch_writer(out_dir, state, True))
    assert state["forced"] is not None, "no batch with data was read"
    assert ended and exc is None, "the replayed re-read of batch %d failed the query: %s" % (
        state["forced"], exc)
    forced_counts = state["counts"].get(state["forced"])
    ids = drain(cluster, sub_path, checkpoint, "checkpoint", out_dir, published, state)
    time.sleep(ACK_DEADLINE_S + 5)
    left = {m.message_id for m in pull_all(sub_path, 1, 5)}

    missing = set(published) - set(ids)
    unknown = set(ids) - set(published)
    dups = {i: n for i, n in ids.items() if n > 1}
    problems = []
    if forced_counts is None or forced_counts[0] != forced_counts[1]:
        problems.append("the count of batch %d on the other executor must equal the rows written "
                        "(count, written) = %s" % (state["forced"], forced_counts))
    if count_mismatches(state):
        problems.append("batches whose count != rows written (count, written): %s"
                        % count_mismatches(state))
    if missing:
        problems.append("%d of %d messages missing from the output" % (len(missing), len(published)))
    if dups:
        problems.append("%d messages written more than once" % len(dups))
    if unknown:
        problems.append("unknown ids in the output: %s" % sorted(unknown)[:10])
    if left:
        problems.append("%d messages unacknowledged after the drain" % len(left))
    assert not problems, "; ".join(problems)
