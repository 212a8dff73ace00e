"""Runs in the soak's driver: every EVERY_S seconds a tiny Spark job asks each executor JVM it
lands on for its pid and the native library's allocated bytes (NativeDiagnostics.allocatedBytes,
through SQL's reflect()), and appends {"at", "bytes_by_pid"} as one JSON line to PATH."""
import json
import threading
import time

PROBES = 8  # tasks per sample, so that each one-core executor runs at least one


def _sample(spark):
    rows = spark.range(0, PROBES, 1, PROBES).selectExpr(
        "reflect('java.lang.ProcessHandle', 'current') AS pid",
        "reflect('io.pubsubnative.spark.nativelib.NativeDiagnostics', 'allocatedBytes') AS bytes",
    ).collect()
    return {row.pid: int(row.bytes) for row in rows}


def start(spark, path, every_s):
    def loop():
        with open(path, "a") as out:
            while True:
                started = time.time()
                try:
                    sample = {"at": started, "bytes_by_pid": _sample(spark)}
                except Exception as e:  # a sample lost to an ending SparkContext ends sampling
                    print("off-heap sampling stopped: %s" % e, flush=True)
                    return
                out.write(json.dumps(sample) + "\n")
                out.flush()
                time.sleep(max(0.0, every_s - (time.time() - started)))

    threading.Thread(target=loop, name="offheap-sampler", daemon=True).start()
