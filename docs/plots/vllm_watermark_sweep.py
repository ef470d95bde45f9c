#!/usr/bin/env python3
"""Preemptions against vLLM's --watermark fraction for one closed-loop benchmark workload.

Runs `kvcheck simulate` on CONFIG once per watermark fraction (each run's config is CONFIG
with its [policy] watermark_fraction replaced), reads each run's report.json and writes:
  - a Markdown table on stdout (fraction, watermark blocks, preemptions, recomputed tokens,
    Mean/P99 TTFT, output token throughput, as vLLM's benchmark names them);
  - an SVG line chart (preemptions and P99 TTFT against the fraction) to --svg.

Usage (docs/vllm.md, "Preemptions against the watermark"):
  docs/plots/vllm_watermark_sweep.py --kvcheck build/release/kvcheck \
      --config configs/vllm_bench_watermark_sweep.toml \
      --svg docs/plots/vllm_watermark_preemptions.svg
Deterministic: the same binary and config give the same numbers on any machine.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

FRACTIONS = [0.0, 0.01, 0.02, 0.04, 0.06, 0.08, 0.10, 0.15, 0.20, 0.30]


def with_fraction(text, w):
    """The config text with [policy] watermark_fraction = w (added if absent)."""
    lines, out, in_policy, done = text.splitlines(), [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            if in_policy and not done:
                out.append(f"watermark_fraction = {w}")
                done = True
            in_policy = stripped == "[policy]"
        if in_policy and re.match(r"watermark_(fraction|blocks)\s*=", stripped):
            continue
        out.append(line)
    if in_policy and not done:
        out.append(f"watermark_fraction = {w}")
    return "\n".join(out) + "\n"


def run(kvcheck, config, w, work):
    text = open(config).read()
    # Relative paths inside the config (a dataset file) stay relative to its directory.
    path = os.path.join(os.path.dirname(os.path.abspath(config)), f".sweep-w{w}.toml")
    with open(path, "w") as f:
        f.write(with_fraction(text, w))
    out = os.path.join(work, f"w{w}")
    try:
        r = subprocess.run([kvcheck, "simulate", path, "--out", out], capture_output=True, text=True)
    finally:
        os.remove(path)
    if r.returncode not in (0, 12, 13):
        sys.exit(f"kvcheck simulate failed at watermark {w} (exit {r.returncode}):\n{r.stderr}")
    rep = json.load(open(os.path.join(out, "report.json")))
    b = rep["metrics"]["vllm_bench"]
    return {"w": w, "exit": r.returncode, "preemptions": b["Preemptions"],
            "recomputed": b["Recomputed tokens"], "ttft_mean": b["Mean TTFT (ms)"],
            "ttft_p99": b["P99 TTFT (ms)"], "tput": b["Output token throughput (tok/s)"],
            "done": b["Successful requests"]}


def svg(rows, path, title):
    W, H, L, R, T, B = 640, 360, 70, 70, 40, 50
    xs = [r["w"] for r in rows]
    # Categorical x axis (the sweep's fractions are not evenly spaced): one slot per run.
    def sx(x):
        return L + xs.index(x) / max(len(xs) - 1, 1) * (W - L - R)
    def series(key, color, axis_x):
        vals = [r[key] for r in rows]
        hi = max(vals) or 1.0
        pts = " ".join(f"{sx(r['w']):.1f},{T + (1 - r[key] / hi) * (H - T - B):.1f}" for r in rows)
        ticks = "".join(
            f'<text x="{axis_x}" y="{T + (1 - f) * (H - T - B) + 4:.1f}" font-size="11" '
            f'fill="{color}" text-anchor="{"end" if axis_x < W / 2 else "start"}">{hi * f:.0f}</text>'
            for f in (0, 0.5, 1))
        return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>' + ticks
    xt = "".join(f'<text x="{sx(x):.1f}" y="{H - B + 16}" font-size="11" text-anchor="middle">'
                 f'{x:g}</text>' for x in xs)
    body = (f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" '
            f'stroke="#999"/>' + series("preemptions", "#c0392b", L - 6) +
            series("ttft_p99", "#2c3e80", W - R + 6) + xt +
            f'<text x="{W / 2}" y="{H - 12}" font-size="12" text-anchor="middle">'
            f'watermark fraction (vLLM --watermark)</text>'
            f'<text x="{W / 2}" y="22" font-size="13" text-anchor="middle">{title}</text>'
            f'<text x="{L}" y="{T - 6}" font-size="11" fill="#c0392b">preemptions</text>'
            f'<text x="{W - R}" y="{T - 6}" font-size="11" fill="#2c3e80" text-anchor="end">'
            f'P99 TTFT (ms)</text>')
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
                f'font-family="sans-serif">{body}</svg>\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kvcheck", default="build/release/kvcheck")
    ap.add_argument("--config", default="configs/vllm_bench_watermark_sweep.toml")
    ap.add_argument("--svg", default="docs/plots/vllm_watermark_preemptions.svg")
    ap.add_argument("--fractions", default=",".join(str(f) for f in FRACTIONS))
    a = ap.parse_args()
    fractions = [float(x) for x in a.fractions.split(",")]
    with tempfile.TemporaryDirectory() as work:
        rows = [run(a.kvcheck, a.config, w, work) for w in fractions]
    print("| watermark fraction | exit | completed | preemptions | recomputed tokens | "
          "Mean TTFT (ms) | P99 TTFT (ms) | Output token throughput (tok/s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['w']:g} | {r['exit']} | {r['done']} | {r['preemptions']} | {r['recomputed']} | "
              f"{r['ttft_mean']:.1f} | {r['ttft_p99']:.1f} | {r['tput']:.1f} |")
    svg(rows, a.svg, f"{os.path.basename(a.config)}: preemptions and P99 TTFT vs watermark")


if __name__ == "__main__":
    main()
