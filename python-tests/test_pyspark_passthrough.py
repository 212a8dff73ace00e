"""PySpark reads what Google's Python client published, unchanged.

Needs env PUBSUB_EMULATOR_HOST (set by tools/emulator/with-emulator.sh) and CONNECTOR_JAR
(the shaded connector jar). Run through python-tests/run.sh.
"""
import os
import shutil
import tempfile

import pytest

from support import (
    CONNECTOR_JAR, EMULATOR, assert_integers_unchanged, create_topic_and_subscription,
    publish_integers, read_all, spark_session,
)

N = 1000

pytestmark = pytest.mark.skipif(
    not EMULATOR or not CONNECTOR_JAR,
    reason="needs PUBSUB_EMULATOR_HOST and CONNECTOR_JAR (run python-tests/run.sh)",
)


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", "pubsub-pyspark-it")
    yield session
    session.stop()


@pytest.fixture()
def workdir():
    d = tempfile.mkdtemp(prefix="pubsub-pyspark-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_pyspark_reads_every_published_integer_unchanged(spark, workdir):
    topic_id, sub_path = create_topic_and_subscription("py", ack_deadline_seconds=60)
    published = publish_integers(topic_id, N)
    assert len(published) == N

    rows = read_all(spark, sub_path, os.path.join(workdir, "checkpoint"), N, parallelism=2)
    assert_integers_unchanged(rows, published)
