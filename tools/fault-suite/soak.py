"""The soak's samples: each executor JVM's resident memory and thread count from /proc, and the
native library's off-heap bytes as the Spark UI shows them (the source's custom metric of the
newest completed SQL execution, through the driver's REST API). `flatness` judges the curve:
after warm-up, every sample within +-5% of the median of the samples after warm-up."""
import json
import statistics
import time
import urllib.request

OFF_HEAP_METRIC = "bytes allocated by the native library"
TOLERANCE = 0.05


def _proc_status(pid):
    fields = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.split()
    except OSError:
        return None
    return {"rss_kb": int(fields["VmRSS"][0]), "threads": int(fields["Threads"][0])}


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def off_heap_bytes(ui_url):
    """The off-heap metric of the newest completed SQL execution (None if there is none yet)."""
    try:
        app = _get(ui_url + "/api/v1/applications")[0]["id"]
        base = "%s/api/v1/applications/%s/sql" % (ui_url, app)
        done = [e["id"] for e in _get(base + "?details=false&length=100000")
                if e.get("status") == "COMPLETED"]
        for execution_id in sorted(done, reverse=True)[:5]:
            execution = _get("%s/%d?details=true&planDescription=false" % (base, execution_id))
            for node in execution.get("nodes", []):
                for metric in node.get("metrics", []):
                    if metric["name"].startswith(OFF_HEAP_METRIC):
                        return int(str(metric["value"]).replace(",", "").split()[0])
    except (OSError, ValueError, KeyError, IndexError):
        return None
    return None


def sample(began, executor_pids, ui_url):
    executors = {pid: _proc_status(pid) for pid in executor_pids}
    live = [s for s in executors.values() if s]
    return {
        "t_s": round(time.time() - began),
        "executors": len(live),
        "rss_mb": round(sum(s["rss_kb"] for s in live) / 1024, 1),
        "threads": sum(s["threads"] for s in live),
        "off_heap_mb": None if (b := off_heap_bytes(ui_url)) is None else round(b / 2**20, 2),
    }


def flatness(samples, warmup_s):
    """{series: (median, lowest share, highest share, flat?)} over the samples after warm-up."""
    after = [s for s in samples if s["t_s"] >= warmup_s]
    verdict = {}
    for series in ("rss_mb", "threads", "off_heap_mb"):
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
             "t s     executors  RSS MiB  threads  off-heap MiB"]
    for s in samples:
        lines.append("%-7d %9d %8.1f %8d %13s" % (
            s["t_s"], s["executors"], s["rss_mb"], s["threads"],
            "-" if s["off_heap_mb"] is None else "%.2f" % s["off_heap_mb"]))
    for series, (median, low, high, flat) in verdict.items():
        lines.append("%s after warm-up: %s" % (series, "no samples" if median is None else
                     "median %s, %+.1f%% .. %+.1f%%: %s" % (
                         median, low * 100, high * 100, "flat" if flat else "NOT FLAT")))
    return "\n".join(lines)
