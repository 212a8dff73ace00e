"""The streaming query under test, run with spark-submit on the suite's cluster: reads the
firehose through the connector and writes each micro-batch's message ids to
OUT/batch=<id> with mode overwrite (a sink idempotent by batch id, as users write with
foreachBatch). Appends every progress event to PROGRESS as one JSON line. Stops
gracefully once STOP_FILE exists; exits 3 if the query fails."""
import argparse
import json
import os
import sys
import time

from pyspark.sql import SparkSession


def main():
    p = argparse.ArgumentParser()
    for flag in ("--host", "--subscription", "--mode", "--out", "--checkpoint", "--progress",
                 "--stop-file", "--max-per-trigger", "--trigger"):
        p.add_argument(flag, required=True)
    p.add_argument("--option", action="append", default=[], help="extra read option k=v")
    a = p.parse_args()
    spark = SparkSession.builder.appName("pubsub-fault-suite").getOrCreate()
    reader = (
        spark.readStream.format("pubsub")
        .option("subscriptionId", a.subscription)
        .option("emulatorHost", a.host)
        .option("replayLog", a.mode)
        .option("maxMessagesPerTrigger", a.max_per_trigger)
        .option("parallelism", "2")
    )
    for kv in a.option:
        key, value = kv.split("=", 1)
        reader = reader.option(key, value)

    def write(batch, batch_id):
        batch.select("message_id").write.mode("overwrite").parquet(
            os.path.join(a.out, "batch=%d" % batch_id))

    query = (
        reader.load().writeStream.foreachBatch(write)
        .option("checkpointLocation", a.checkpoint)
        .trigger(processingTime=a.trigger)
        .start()
    )
    seen = set()
    with open(a.progress, "a") as progress:
        while not os.path.exists(a.stop_file):
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
    spark.stop()


if __name__ == "__main__":
    main()
