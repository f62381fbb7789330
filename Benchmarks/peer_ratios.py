#!/usr/bin/env python3
"""One ratio table from two peerbench runs: Sluice against nginx and HAProxy (same run) and against the
nio-floor forwarder (the second run, whose nginx column shows how far the two runs' conditions differ).

Usage: peer_ratios.py --helpers ../shared/peerbench/helpers SLUICE_RAW.jsonl NIOFLOOR_RAW.jsonl

Medians, chosen attempts and noisy marks come from peerbench's own summarize.py; ratios are Sluice / peer
(for "better: lower" rows a ratio below 1 means Sluice is ahead)."""
import argparse
import statistics
import sys


def median(data, workload, metric, proxy):
    values = data.get((workload, metric, proxy))
    return statistics.median(values) if values else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helpers", required=True)
    ap.add_argument("sluice_raw")
    ap.add_argument("floor_raw")
    args = ap.parse_args()
    sys.path.insert(0, args.helpers)
    import summarize  # peerbench's: load(), fmt(), HEADLINE

    run, busy, _, errors, _, _ = summarize.load(args.sluice_raw)
    floor_run, floor_busy, _, floor_errors, _, _ = summarize.load(args.floor_raw)
    print("## Sluice against its peers\n")
    print("| workload | unit | better | sluice | nginx | haproxy | niofloor | nginx (niofloor run) "
          "| sluice/nginx | sluice/haproxy | sluice/niofloor |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = 0
    for workload, metric, label, unit, better in summarize.HEADLINE:
        sluice = median(run, workload, metric, "sluice")
        if sluice is None:
            continue
        peers = [median(run, workload, metric, "nginx"), median(run, workload, metric, "haproxy"),
                 median(floor_run, workload, metric, "niofloor"), median(floor_run, workload, metric, "nginx")]
        cells = ["n/a" if v is None else summarize.fmt(v) for v in [sluice] + peers]
        ratios = ["" if v in (None, 0) or metric == "lost_pct" else f"{sluice / v:.2f}" for v in peers[:3]]
        noisy = busy[(workload, "sluice")] or floor_busy[(workload, "niofloor")]
        print(f"| {label}{' (busy box)' if noisy else ''} | {unit} | {better} | " + " | ".join(cells + ratios) + " |")
        rows += 1
    for rec in errors + floor_errors:
        print(f"\nerror: {rec['workload']} / {rec['proxy']} / run {rec['rep']}: {rec['error']}")
    if rows == 0:
        sys.exit("peer_ratios: no Sluice figures in " + args.sluice_raw)


if __name__ == "__main__":
    main()
