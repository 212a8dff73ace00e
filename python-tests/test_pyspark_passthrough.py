"""PySpark reads what Google's Python client published, unchanged.

Needs env PUBSUB_EMULATOR_HOST (set by tools/emulator/with-emulator.sh) and CONNECTOR_JAR
(the shaded connector jar). Run through python-tests/run.sh.
"""
import os
import shutil
import tempfile
import time
import uuid

import pytest

EMULATOR = os.environ.get("PUBSUB_EMULATOR_HOST")
CONNECTOR_JAR = os.environ.get("CONNECTOR_JAR")
PROJECT = "test-proj"
N = 1000

pytestmark = pytest.mark.skipif(
    not EMULATOR or not CONNECTOR_JAR,
    reason="needs PUBSUB_EMULATOR_HOST and CONNECTOR_JAR (run python-tests/run.sh)",
)

ADD_OPENS = " ".join(
    "--add-opens=java.base/%s=ALL-UNNAMED" % p
    for p in [
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
        "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
        "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar",
    ]
)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    assert os.path.isfile(CONNECTOR_JAR), "CONNECTOR_JAR does not exist: %s" % CONNECTOR_JAR
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pubsub-pyspark-it")
        .config("spark.jars", CONNECTOR_JAR)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", ADD_OPENS)
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture()
def workdir():
    d = tempfile.mkdtemp(prefix="pubsub-pyspark-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _names():
    suffix = uuid.uuid4().hex[:10]
    return "py-topic-" + suffix, "py-sub-" + suffix


def _publish_integers(topic_id, n):
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


def test_pyspark_reads_every_published_integer_unchanged(spark, workdir):
    from google.cloud import pubsub_v1

    topic_id, sub_id = _names()
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic_path = publisher.topic_path(PROJECT, topic_id)
    sub_path = subscriber.subscription_path(PROJECT, sub_id)
    publisher.create_topic(name=topic_path)
    subscriber.create_subscription(name=sub_path, topic=topic_path, ack_deadline_seconds=60)
    published = _publish_integers(topic_id, N)
    assert len(published) == N

    table = "pubsub_py_" + uuid.uuid4().hex[:8]
    checkpoint = os.path.join(workdir, "checkpoint")
    deadline = time.time() + 300
    rows = []
    # AvailableNow ends at the first empty micro-batch; run again until everything arrived.
    for _ in range(5):
        df = (
            spark.readStream.format("pubsub")
            .option("subscriptionId", sub_path)
            .option("emulatorHost", EMULATOR)
            .option("parallelism", "2")
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
        if len(rows) >= N:
            break

    assert len(rows) == N
    assert sum(int(r.payload) for r in rows) == N * (N - 1) // 2
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
