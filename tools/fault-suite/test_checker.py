"""Unit tests of the checker's arithmetic (run by run.sh before the suite): a lost message, an
unexplained duplicate and a throughput dip must each show."""
import os
import tempfile
import types

import pyarrow as pa
import pyarrow.parquet as pq

import checker


def events(rows, start=100.0):
    return [{"batch": i, "rows": r, "at": start + i} for i, r in enumerate(rows)]


def test_recovery_counts_from_the_strike_to_the_batch_that_restores_throughput():
    # 1,000 rows a second; the strike at 103.5 empties three batches, full again at 108
    progress = events([1000] * 4 + [0, 0, 0] + [1000] * 5)
    assert checker.recovery_seconds(progress, [103.5]) == [4.5]


def test_a_gap_without_batches_is_a_dip_as_a_restarting_driver_leaves_it():
    progress = events([1000] * 6) + events([1000] * 6, start=120.0)
    assert checker.recovery_seconds(progress, [105.5]) == [15.5]


def test_the_end_of_the_data_is_no_dip_and_a_strike_without_one_recovers_in_zero():
    assert checker.recovery_seconds(events([1000] * 6 + [0] * 5), [102.5]) == [0.0]


def test_a_strike_after_which_throughput_stays_low_never_recovers():
    assert checker.recovery_seconds(events([1000, 1000, 1000] + [100] * 50), [101.5]) == [None]


def write_run(tmp, batches, messages, redeliveries="", strikes=(), unreported=()):
    """A finished read run on disk: OUT/batch=<id> with the ids, the firehose's report and file."""
    run = types.SimpleNamespace(
        s=types.SimpleNamespace(name="t"), strikes=len(strikes), messages=messages,
        out=os.path.join(tmp, "out"), progress=os.path.join(tmp, "progress.jsonl"),
        report_file=os.path.join(tmp, "report.json"), checkpoint=os.path.join(tmp, "checkpoint"),
        redeliveries_file=os.path.join(tmp, "redeliveries.txt"), fault_times=list(strikes),
        began=0.0)
    os.makedirs(os.path.join(run.checkpoint, "commits"))
    with open(run.progress, "w") as f:
        for batch in batches:
            commit = os.path.join(run.checkpoint, "commits", str(batch))
            open(commit, "w").close()
            os.utime(commit, (10.0 * batch, 10.0 * batch))
            if batch in unreported:
                continue  # the driver died before its progress showed
            f.write('{"batch": %d, "rows": %d, "at": %f}\n' % (batch, len(batches[batch]), 10.0 * batch))
    for batch, ids in batches.items():
        os.makedirs(os.path.join(run.out, "batch=%d" % batch))
        pq.write_table(pa.table({"message_id": [str(i) for i in ids]}),
                       os.path.join(run.out, "batch=%d" % batch, "part.parquet"))
    with open(run.report_file, "w") as f:
        f.write('{"never_acked": 0, "acked_once": %d, "acked_more_than_once": 0, '
                '"distinct_served": %d, "redelivered": 0}' % (messages, messages))
    with open(run.redeliveries_file, "w") as f:
        f.write(redeliveries)
    return run


def test_a_message_in_no_batch_is_lost_and_fails_the_scenario():
    with tempfile.TemporaryDirectory() as tmp:
        result = checker.check(write_run(tmp, {0: [1, 2], 1: [4]}, 4), 1.0, 10)
    assert result["lost"] == 1 and not result["ok"]


def test_a_duplicate_is_explained_by_an_injected_cause_but_not_by_a_lapsed_lease_alone():
    with tempfile.TemporaryDirectory() as tmp:
        run = write_run(tmp, {0: [1, 2, 3], 1: [1, 2]}, 3,
                        redeliveries="1 2 lease_expired,ack_ignored\n2 2 lease_expired\n")
        result = checker.check(run, 1.0, 10)
    assert result["duplicated"] == 2 and result["unexplained"] == 1 and not result["ok"]
    assert result["duplicates_by_cause"] == {"ack_ignored": 1, "unexplained": 1}


def test_a_duplicate_whose_first_batch_completed_near_a_strike_is_explained():
    with tempfile.TemporaryDirectory() as tmp:
        run = write_run(tmp, {0: [1, 2], 1: [3], 2: [1]}, 3, strikes=[1.0])
        result = checker.check(run, 1.0, 10)
    assert result["unexplained"] == 0 and result["ok"]


def test_a_batch_committed_just_before_a_driver_kill_explains_its_duplicates_by_its_commit_time():
    # batch 1 committed at 10.0; the kill at 11.0 came before Spark acknowledged it or the
    # driver reported it, so its messages came again in batch 2
    with tempfile.TemporaryDirectory() as tmp:
        run = write_run(tmp, {0: [1], 1: [2, 3], 2: [2, 3]}, 3, strikes=[11.0], unreported=[1])
        assert checker.check(run, 1.0, 10)["unexplained"] == 0
        run = write_run(tmp + "/late", {0: [1], 1: [2, 3], 2: [2, 3]}, 3, strikes=[30.0],
                        unreported=[1])
        assert checker.check(run, 1.0, 10)["unexplained"] == 2
