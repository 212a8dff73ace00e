"""The soak's samples: each executor JVM's resident memory and threads from /proc (all of them,
and the connector's own: names starting "pubsub"), and the peak of the native library's
allocated bytes in each executor since the previous sample (offheap_sampler, run by the driver). `flatness` judges the curve: after warm-up,
every sample of RSS, off-heap bytes and the connector's threads lies within +-5% of their
median after warm-up (a JVM's own thread pools grow and shrink; their count is shown, not
judged)."""
import json
import os
import statistics
import time

TOLERANCE = 0.05
JUDGED = ("rss_mb", "connector_threads", "off_heap_mb")


def _proc_status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        names = []
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, task)) as f:
                names.append(f.read().strip())
    except OSError:
        return None
    return {"rss_kb": int(fields["VmRSS"].split()[0]), "threads": len(names),
            "connector_threads": sum(1 for n in names if n.startswith("pubsub"))}


def peak_off_heap(samples_path, pids, since):
    """The highest native bytes, summed over `pids`, among the driver's samples taken since
    `since` (epoch s) that saw every one of them: a per-interval peak, as leaks are tracked, so
    that one sample taken just after a session acknowledged a batch is not read as a change."""
    if not os.path.exists(samples_path):
        return None
    peak = None
    with open(samples_path) as f:
        for line in f:
            sample = json.loads(line)
            by_pid = sample["bytes_by_pid"]
            if sample["at"] >= since and all(str(p) in by_pid for p in pids):
                total = sum(by_pid[str(p)] for p in pids)
                peak = total if peak is None else max(peak, total)
    return peak


def sample(began, executor_pids, samples_path, since):
    executors = {pid: _proc_status(pid) for pid in executor_pids}
    live = [s for s in executors.values() if s]
    off_heap = peak_off_heap(samples_path, executor_pids, since) if live else None
    return {
        "t_s": round(time.time() - began),
        "executors": len(live),
        "rss_mb": round(sum(s["rss_kb"] for s in live) / 1024, 1),
        "threads": sum(s["threads"] for s in live),
        "connector_threads": sum(s["connector_threads"] for s in live),
        "off_heap_mb": None if off_heap is None else round(off_heap / 2**20, 2),
    }


def flatness(samples, warmup_s):
    """{series: (median, lowest share, highest share, flat?)} over the samples after warm-up."""
    after = [s for s in samples if s["t_s"] >= warmup_s]
    verdict = {}
    for series in JUDGED:
        values = [s[series] for s in after if s[series] is not None]
        if not values:
            verdict[series] = (None, None, None, False)
            continue
        median = statistics.median(values)
        low, high = min(values) / median - 1, max(values) / median - 1
        verdict[series] = (median, low, high, -TOLERANCE <= low and high <= TOLERANCE)
    return verdict


def curve_table(samples, verdict):
    lines = ["", "==================== soak ====================",
             "t s     executors  RSS MiB  threads  connector threads  off-heap MiB"]
    for s in samples:
        lines.append("%-7d %9d %8.1f %8d %18d %13s" % (
            s["t_s"], s["executors"], s["rss_mb"], s["threads"], s["connector_threads"],
            "-" if s["off_heap_mb"] is None else "%.2f" % s["off_heap_mb"]))
    for series, (median, low, high, flat) in verdict.items():
        lines.append("%s after warm-up: %s" % (series, "no samples" if median is None else
                     "median %s, %+.1f%% .. %+.1f%%: %s" % (
                         median, low * 100, high * 100, "flat" if flat else "NOT FLAT")))
    return "\n".join(lines)
