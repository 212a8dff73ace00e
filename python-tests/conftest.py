"""Fixtures shared by the PySpark tests."""
import shutil
import tempfile

import pytest


@pytest.fixture()
def workdir():
    d = tempfile.mkdtemp(prefix="pubsub-pyspark-")
    yield d
    shutil.rmtree(d, ignore_errors=True)
