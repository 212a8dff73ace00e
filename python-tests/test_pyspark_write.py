"""PySpark writes rows with the connector; Google's Python client pulls exactly those messages.

Needs env PUBSUB_EMULATOR_HOST (set by tools/emulator/with-emulator.sh) and CONNECTOR_JAR
(the shaded connector jar). Run through python-tests/run.sh.
"""
import pytest

from support import (
    EMULATOR, PROJECT, create_topic_and_subscription, pull_all, requires_emulator_and_jar,
    spark_session,
)

N = 1000

pytestmark = requires_emulator_and_jar


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", "pubsub-pyspark-write")
    yield session
    session.stop()


def test_pyspark_batch_write_publishes_every_row(spark):
    topic_id, sub_path = create_topic_and_subscription("pyw", ack_deadline_seconds=60)
    rows = spark.range(N).selectExpr(
        "CAST(id AS STRING) AS payload",
        "map('i', CAST(id AS STRING), 'kind', 'int') AS attributes",
    )
    (
        rows.write.format("pubsub")
        .mode("append")
        .option("topicId", "projects/%s/topics/%s" % (PROJECT, topic_id))
        .option("emulatorHost", EMULATOR)
        .save()
    )

    messages = pull_all(sub_path, N, timeout_s=120)
    assert len(messages) == N
    payloads = sorted(int(m.data.decode("ascii")) for m in messages)
    assert payloads == list(range(N))
    for m in messages:
        assert dict(m.attributes) == {"i": m.data.decode("ascii"), "kind": "int"}
