#!/usr/bin/env python3
"""The BMC depth each policy's safe twin reaches within a time limit, against the number of
symbolic requests N (issue 15's curve). For every shipped safe twin (configs/*_safe.toml) and
every N, the config is copied with its own [bmc] replaced by the 8-slot bounds of
configs/bmc_vllm_fcfs_n8.toml (arrivals at steps 0..8, depth 40) with N slots, and its full
[check] property list; `kvcheck check --depth 40 --seed-runs 0 --time-limit T` runs it. The
depth reached is the last depth whose query was unsat (40 when the run exits 0: BOUNDED_OK(40),
by closure or by unrolling). N > 16 is outside [bmc] slots' range and is reported as a config
error (exit 151).

usage: depth_curve.py KVCHECK [--n 4,8,12,16,32] [--time-limit 60] [--policies a,b] > curve.csv
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def strip_sections(text, names):
    out, skip = [], False
    for line in text.splitlines():
        m = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if m:
            skip = m.group(1) in names
        if not skip:
            out.append(line)
    return "\n".join(out) + "\n"


def variant(cfg, n):
    text = strip_sections(cfg.read_text(), {"bmc"})
    # the envelope's request count must admit N requests and the twin's own workload (shapes
    # stay the twin's own): no bound on the count
    if re.search(r"^\[envelope\]", text, re.M):
        text = re.sub(r"^max_requests\s*=.*$", "", text, flags=re.M)
        text = text.replace("[envelope]", "[envelope]\nmax_requests = 0", 1)
    else:
        text += "\n[envelope]\nmax_requests = 0\n"
    text += f"\n[bmc]\nslots = {n}\narrival = [0, 8]\ndepth = 40\n"
    return text


def run(kvcheck, cfg, n, limit):
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / cfg.name
        path.write_text(variant(cfg, n))
        t0 = time.monotonic()
        p = subprocess.run([kvcheck, "check", str(path), "--depth", "40", "--seed-runs", "0",
                            "--time-limit", str(limit), "--out", d],
                           capture_output=True, text=True, cwd=cfg.parent)
        secs = time.monotonic() - t0
    out = p.stdout + p.stderr
    depth = -1
    for m in re.finditer(r"bmc_depth_(\d+): unsat", out):
        depth = max(depth, int(m.group(1)))
    lines = (p.stdout.strip() or p.stderr.strip()).splitlines()
    verdict = lines[-1] if lines else "(no output)"
    if p.returncode == 0:  # BOUNDED_OK(40): every depth up to 40 (closed or unrolled)
        depth = 40
    return depth, verdict, secs, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kvcheck")
    ap.add_argument("--n", default="4,8,12,16,32")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--policies", default="")
    a = ap.parse_args()
    cfgs = sorted((ROOT / "configs").glob("*_safe.toml"))
    if a.policies:
        keep = set(a.policies.split(","))
        cfgs = [c for c in cfgs if c.stem.removesuffix("_safe") in keep]
    print("config,N,depth_reached,exit,seconds,verdict")
    for cfg in cfgs:
        for n in map(int, a.n.split(",")):
            depth, verdict, secs, rc = run(a.kvcheck, cfg, n, a.time_limit)
            print(f"{cfg.stem},{n},{depth},{rc},{secs:.1f},\"{verdict[:150]}\"", flush=True)


if __name__ == "__main__":
    sys.exit(main())
