"""What the suite's Spark applications share: their common flags, and starting and watching the
query: each progress event is appended to a JSON-lines file, and the query stops gracefully
once a stop file exists."""
import argparse
import json
import os
import sys
import time


COMMON_FLAGS = ("--checkpoint", "--progress", "--stop-file", "--trigger")


def parse_args(flags, extra=None):
    """Parses the application's required `flags` and the common ones; `extra(parser)` may add more."""
    p = argparse.ArgumentParser()
    for flag in flags + COMMON_FLAGS:
        p.add_argument(flag, required=True)
    if extra:
        extra(p)
    return p.parse_args()


def start_and_watch(spark, writer, a):
    """Starts `writer` (a DataStreamWriter) with the checkpoint and trigger of `a`, watches it
    until the stop file appears, then stops Spark."""
    query = (
        writer.option("checkpointLocation", a.checkpoint)
        .trigger(processingTime=a.trigger)
        .start()
    )
    watch(query, a.progress, a.stop_file)
    spark.stop()


def watch(query, progress_path, stop_file):
    """Returns once `stop_file` exists (the query stopped); exits 3 if the query failed."""
    seen = set()
    with open(progress_path, "a") as progress:
        while not os.path.exists(stop_file):
            query.awaitTermination(0.5)
            for event in query.recentProgress:
                if event["batchId"] in seen:
                    continue
                seen.add(event["batchId"])
                progress.write(json.dumps({
                    "batch": event["batchId"], "rows": event["numInputRows"],
                    "at": time.time(), "timestamp": event["timestamp"]}) + "\n")
                progress.flush()
            if not query.isActive:
                print("query ended: %s" % query.exception(), file=sys.stderr)
                sys.exit(3)
    query.stop()
