"""Reads the spark-firehose logs bench/compare-builds.sh wrote (DIR/{base,head}-ROUND.log) and
prints each row's msg/s and CPU-s per million on both sides (median over the rounds) and the
head/base ratios. A row without a replayLog mode (builds before the option existed) counts as
memory mode, which is what those builds did."""
import re
import statistics
import sys

ROW = re.compile(r"^(noop|parquet)(/\w+)?\s+([\d,]+)\s+([\d,]+)\s+[\d.]+\s+([\d.]+)\s")


def rows(path):
    """{(sink/mode, messages): (msg/s, CPU-s/1M)} of the first (cold) table of one log."""
    found = {}
    with open(path) as log:
        for line in log:
            if line.startswith("warm:"):
                break
            m = ROW.match(line)
            if m:
                key = (m.group(1) + (m.group(2) or "/memory"), int(m.group(3).replace(",", "")))
                found[key] = (float(m.group(4).replace(",", "")), float(m.group(5)))
    return found


def main(directory, rounds):
    sides = {}
    for side in ("base", "head"):
        per_key = {}
        for r in range(1, rounds + 1):
            for key, value in rows("%s/%s-%d.log" % (directory, side, r)).items():
                per_key.setdefault(key, []).append(value)
        sides[side] = per_key
    print("\n==================== compare-builds: median of %d rounds ====================" % rounds)
    print("%-20s %11s %12s %12s %10s %10s %9s %9s" % (
        "row", "messages", "base msg/s", "head msg/s", "base CPU", "head CPU", "msg/s x", "CPU x"))
    for key in sorted(set(sides["base"]) | set(sides["head"])):
        b, h = sides["base"].get(key), sides["head"].get(key)
        if not b or not h:
            print("%-20s %11s  only in %s" % (key[0], "{:,}".format(key[1]), "head" if h else "base"))
            continue
        bm, hm = (statistics.median(v[0] for v in x) for x in (b, h))
        bc, hc = (statistics.median(v[1] for v in x) for x in (b, h))
        print("%-20s %11s %12s %12s %10.3f %10.3f %9.2f %9.2f" % (
            key[0], "{:,}".format(key[1]), "{:,.0f}".format(bm), "{:,.0f}".format(hm),
            bc, hc, hm / bm, hc / bc))
    print("msg/s x > 1: head is faster; CPU x > 1: head needs more CPU per message. "
          "CPU-s/1M is the Spark JVM's own, from query start to termination.")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
