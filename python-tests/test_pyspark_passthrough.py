"""PySpark reads what Google's Python client published, unchanged.

Needs env PUBSUB_EMULATOR_HOST (set by tools/emulator/with-emulator.sh) and CONNECTOR_JAR
(the shaded connector jar). Run through python-tests/run.sh.
"""
import os

import pytest

from support import (
    assert_integers_unchanged, create_topic_and_subscription,
    publish_integers, read_all, requires_emulator_and_jar, spark_session,
)

N = 1000

pytestmark = requires_emulator_and_jar


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", "pubsub-pyspark-it")
    yield session
    session.stop()


def test_pyspark_reads_every_published_integer_unchanged(spark, workdir):
    topic_id, sub_path = create_topic_and_subscription("py", ack_deadline_seconds=60)
    published = publish_integers(topic_id, N)
    assert len(published) == N

    rows = read_all(spark, sub_path, os.path.join(workdir, "checkpoint"), N, parallelism=2)
    assert_integers_unchanged(rows, published)
