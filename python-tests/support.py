"""Shared helpers of the PySpark tests: Spark JVM flags, fixtures published with Google's
Python client, and an AvailableNow read of a whole subscription into a memory table."""
import os
import time
import uuid

import pytest

EMULATOR = os.environ.get("PUBSUB_EMULATOR_HOST")
CONNECTOR_JAR = os.environ.get("CONNECTOR_JAR")
PROJECT = "test-proj"

# Every PySpark test needs the emulator and the connector jar that python-tests/run.sh provides.
requires_emulator_and_jar = pytest.mark.skipif(
    not EMULATOR or not CONNECTOR_JAR,
    reason="needs PUBSUB_EMULATOR_HOST and CONNECTOR_JAR (run python-tests/run.sh)",
)

# The module opens Spark 4 needs on Java 17 (the parent pom's surefire argLine).
ADD_OPENS = " ".join(
    "--add-opens=java.base/%s=ALL-UNNAMED" % p
    for p in [
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
        "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
        "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar",
    ]
)


def spark_session(master, app_name, extra_conf=None):
    """A session with the connector jar; `extra_conf` adds (or overrides) Spark settings."""
    from pyspark.sql import SparkSession

    assert os.path.isfile(CONNECTOR_JAR), "CONNECTOR_JAR does not exist: %s" % CONNECTOR_JAR
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.jars", CONNECTOR_JAR)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", ADD_OPENS)
        .config("spark.executor.extraJavaOptions", ADD_OPENS)
    )
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def executor_count(spark):
    """Executors registered with the driver (the driver's own block manager not counted)."""
    return spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1


def await_executors(spark, n, timeout_s=120):
    deadline = time.time() + timeout_s
    while executor_count(spark) < n and time.time() < deadline:
        time.sleep(0.5)
    assert executor_count(spark) >= n, "expected %d executors, got %d" % (n, executor_count(spark))


def create_topic_and_subscription(prefix, ack_deadline_seconds):
    """Creates a fresh topic and subscription; returns (topic_id, subscription path)."""
    from google.cloud import pubsub_v1

    suffix = uuid.uuid4().hex[:10]
    topic_id, sub_id = prefix + "-topic-" + suffix, prefix + "-sub-" + suffix
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic_path = publisher.topic_path(PROJECT, topic_id)
    sub_path = subscriber.subscription_path(PROJECT, sub_id)
    publisher.create_topic(name=topic_path)
    subscriber.create_subscription(
        name=sub_path, topic=topic_path, ack_deadline_seconds=ack_deadline_seconds
    )
    return topic_id, sub_path


def publish_integers(topic_id, n):
    """Publishes 0..n-1 as decimal payloads with attributes; returns {message_id: i}."""
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient(
        batch_settings=pubsub_v1.types.BatchSettings(max_messages=1000, max_latency=0.01)
    )
    topic_path = publisher.topic_path(PROJECT, topic_id)
    futures = [
        publisher.publish(topic_path, str(i).encode("ascii"), i=str(i), kind="int")
        for i in range(n)
    ]
    ids = [f.result(timeout=120) for f in futures]
    return dict(zip(ids, range(n)))


def read_all(spark, sub_path, checkpoint, expected, parallelism, timeout_s=300):
    """Runs AvailableNow queries into a memory table until `expected` rows arrived."""
    table = "pubsub_py_" + uuid.uuid4().hex[:8]
    deadline = time.time() + timeout_s
    rows = []
    # AvailableNow ends at the first empty micro-batch; run again until everything arrived.
    for _ in range(5):
        df = (
            spark.readStream.format("pubsub")
            .option("subscriptionId", sub_path)
            .option("emulatorHost", EMULATOR)
            .option("parallelism", str(parallelism))
            .load()
        )
        query = (
            df.writeStream.format("memory")
            .queryName(table)
            .option("checkpointLocation", checkpoint)
            .outputMode("append")
            .trigger(availableNow=True)
            .start()
        )
        assert query.awaitTermination(max(1, deadline - time.time())), "query did not end in time"
        assert query.exception() is None, str(query.exception())
        rows = spark.sql(
            "SELECT message_id, CAST(payload AS STRING) AS payload, attributes, ordering_key, "
            "publish_time FROM " + table
        ).collect()
        if len(rows) >= expected:
            break
    return rows


def assert_integers_unchanged(rows, published):
    n = len(published)
    assert len(rows) == n
    assert sum(int(r.payload) for r in rows) == n * (n - 1) // 2
    seen = set()
    for r in rows:
        assert r.message_id in published, "unknown message_id %s" % r.message_id
        assert r.message_id not in seen, "duplicate message_id %s" % r.message_id
        seen.add(r.message_id)
        i = published[r.message_id]
        assert r.payload == str(i)
        assert dict(r.attributes) == {"i": str(i), "kind": "int"}
        assert r.ordering_key is None
        assert r.publish_time is not None
    assert seen == set(published)


def pull_all(sub_path, expected, timeout_s, settle_s=3):
    """Pulls and acknowledges with Google's client until `expected` messages arrived (or the
    timeout), then `settle_s` more seconds so that extra messages would show; returns them."""
    from google.api_core.exceptions import DeadlineExceeded
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    messages = []
    deadline = time.time() + timeout_s
    settle_end = None
    try:
        while time.time() < (settle_end or deadline):
            try:
                response = subscriber.pull(subscription=sub_path, max_messages=1000, timeout=5)
            except DeadlineExceeded:
                continue
            received = list(response.received_messages)
            if received:
                subscriber.acknowledge(
                    subscription=sub_path, ack_ids=[r.ack_id for r in received]
                )
                messages.extend(r.message for r in received)
            if len(messages) >= expected and settle_end is None:
                settle_end = min(deadline, time.time() + settle_s)
    finally:
        subscriber.close()
    return messages


def redelivered_within(sub_path, seconds):
    """Message ids Google's streaming subscriber receives within `seconds` (it acks them)."""
    from google.cloud import pubsub_v1

    received = set()

    def callback(message):
        received.add(message.message_id)
        message.ack()

    subscriber = pubsub_v1.SubscriberClient()
    future = subscriber.subscribe(sub_path, callback=callback)
    time.sleep(seconds)
    future.cancel()
    try:
        future.result(timeout=10)
    except Exception:  # cancelled on purpose
        pass
    subscriber.close()
    return received
