"""The connector on a Spark cluster whose executors are separate JVMs (local-cluster mode:
a master, a worker and two executor processes, launched from pyspark's own Spark home).

The executors load the native library from the jar that spark.jars ships to them, read
through their own sessions, and acknowledge only when the commit signal reaches them:
after the query stopped, Google's client receives nothing more, even past the ack deadline.
"""
import os

import pytest

from support import (
    assert_integers_unchanged, await_executors, create_topic_and_subscription,
    publish_integers, read_all, redelivered_within, requires_emulator_and_jar, spark_session,
)

N = 1000
ACK_DEADLINE_S = 10

pytestmark = requires_emulator_and_jar


@pytest.fixture(scope="module")
def cluster():
    session = spark_session("local-cluster[2,1,1024]", "pubsub-cluster-it")
    yield session
    session.stop()


def test_executor_jvms_read_everything_and_ack_only_committed_messages(cluster, workdir):
    await_executors(cluster, 2)

    topic_id, sub_path = create_topic_and_subscription("cluster", ACK_DEADLINE_S)
    published = publish_integers(topic_id, N)
    rows = read_all(cluster, sub_path, os.path.join(workdir, "checkpoint"), N, parallelism=4)
    assert_integers_unchanged(rows, published)

    # Past the ack deadline, anything not acknowledged would be redelivered.
    again = redelivered_within(sub_path, ACK_DEADLINE_S + 10)
    assert again == set(), "%d committed messages were redelivered" % len(again)
