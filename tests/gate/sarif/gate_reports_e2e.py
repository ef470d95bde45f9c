#!/usr/bin/env python3
"""End-to-end check of the gate's reports (issue 17), on the built binary.

usage: gate_reports_e2e.py KVCHECK SOURCE_DIR

1. A gate over cheap shipped configs and one broken config: exit 151 (the broken config), yet
   Markdown, JUnit, SARIF and JSON are all written; the SARIF validates against the official
   2.1.0 schema; JUnit's totals equal its test cases; the broken config is an ERROR row, a JUnit
   <error> and a SARIF tool-execution notification.
2. The same configs as two shards (--shard 0/2, 1/2) merged with --merge: the same verdicts.
   --baseline against the gate's own report: no change; against a doctored one: a regression,
   exit 20 with --fail-on-regression.
3. BMC alone on an unsafe config: its counterexample is a code flow with one location per step.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

try:
    import jsonschema
except ImportError:
    sys.exit("gate_reports_e2e: python3-jsonschema is missing (ci/install-deps.sh installs it)")

KVCHECK, SRC = sys.argv[1], sys.argv[2]
SCHEMA_PATH = os.path.join(SRC, "tests/gate/sarif/sarif-schema-2.1.0.json")
SCHEMA_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"
if hashlib.sha256(open(SCHEMA_PATH, "rb").read()).hexdigest() != SCHEMA_SHA256:
    sys.exit("gate_reports_e2e: the vendored SARIF schema was changed (sha256 differs)")
SCHEMA = json.load(open(SCHEMA_PATH))
CONFIGS = ["configs/orca_unsafe.toml", "configs/explore_p2_example2_unstable.toml",
           "configs/fuzz_vllm_fcfs_starvation.toml", "configs/p2_example2.toml"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def gate(out, args):
    cmd = [KVCHECK, "gate", "--checkers", "simulate,explore,fuzz", "--junit", out + ".xml",
           "--sarif", out + ".sarif", "--json", out + ".json"] + args
    p = subprocess.run(cmd, cwd=SRC, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def validate(path):
    doc = json.load(open(path))
    errors = list(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc))
    for e in errors[:10]:
        print("  schema:", list(e.absolute_path), e.message[:200])
    check(not errors, f"{path}: {len(errors)} schema errors")
    return doc


def junit_counts(path):
    root = ET.parse(path).getroot()
    cases = root.findall(".//testcase")
    for attr, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        n = sum(1 for c in cases if c.find(tag) is not None)
        check(int(root.get(attr)) == n, f"{path}: {attr}={root.get(attr)} but {n} cases")
    check(int(root.get("tests")) == len(cases), f"{path}: tests={root.get('tests')}, {len(cases)} cases")
    return root


def verdicts(report_json):
    return {(e["name"], r["checker"], r["verdict"]["kind"])
            for e in json.load(open(report_json))["entries"] for r in e["rows"]}


with tempfile.TemporaryDirectory() as tmp:
    broken = os.path.join(tmp, "broken.toml")
    with open(broken, "w") as f:
        f.write('[meta]\nname = "broken"\nexpect = "ok"\n[engine\n')
    whole = os.path.join(tmp, "whole")
    rc, out, err = gate(whole, CONFIGS + [broken])
    check(rc == 151, f"exit {rc}, want 151 (a broken config)")
    for ext in (".xml", ".sarif", ".json"):
        check(os.path.exists(whole + ext), f"no {ext} report after a broken config")
    check("| broken | - | config | ERROR" in out, "no ERROR row for the broken config")
    check(err.count("gate: [") >= len(CONFIGS) + 1, "fewer progress lines than configs")
    doc = validate(whole + ".sarif")
    inv = doc["runs"][0]["invocations"][0]
    check(inv["executionSuccessful"] is False, "executionSuccessful with a broken config")
    check(len(inv.get("toolExecutionNotifications", [])) == 1, "no notification for it")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]}
    check(all(not u.startswith("/") and "://" not in u for u in uris), f"absolute URIs: {uris}")
    root = junit_counts(whole + ".xml")
    check(int(root.get("errors")) >= 1, "the broken config is no JUnit error")

    shards = []
    for i in range(2):
        s = os.path.join(tmp, f"shard{i}")
        gate(s, CONFIGS + [broken, "--shard", f"{i}/2"])
        shards.append(s + ".json")
    merged = os.path.join(tmp, "merged")
    rc_m, _, _ = gate(merged, ["--merge"] + shards[::-1])
    check(rc_m == rc, f"merged exit {rc_m}, whole run {rc}")
    check(verdicts(merged + ".json") == verdicts(whole + ".json"), "merged verdicts differ")
    validate(merged + ".sarif")
    junit_counts(merged + ".xml")

    # --baseline: the same build against its own report changes nothing; against a report in
    # which one config completed more requests, that metric is a regression, and with
    # --fail-on-regression a passing gate exits 20.
    good = CONFIGS[1:]
    base = os.path.join(tmp, "base")
    rc_b, _, _ = gate(base, good)
    check(rc_b == 0, f"baseline gate exit {rc_b}")
    rc_s, out_s, _ = gate(os.path.join(tmp, "same"), good + ["--baseline", base + ".json"])
    check(rc_s == 0 and "No verdict, expectation or metric changed." in out_s,
          "a build against its own baseline reports changes")
    # a directory holding report.json (ci/gate.sh's out/gate/) names the same baseline
    os.makedirs(os.path.join(tmp, "old-out"))
    os.replace(base + ".json", os.path.join(tmp, "old-out", "report.json"))
    rc_d, out_d, _ = gate(os.path.join(tmp, "same-dir"), good + ["--baseline", os.path.join(tmp, "old-out")])
    check(rc_d == 0 and "No verdict, expectation or metric changed." in out_d,
          "--baseline DIR does not read DIR/report.json")
    os.replace(os.path.join(tmp, "old-out", "report.json"), base + ".json")
    doc = json.load(open(base + ".json"))
    row = doc["entries"][0]["rows"][0]
    check(row["checker"] == "simulate" and "completed" in row["metrics"], "no simulate metrics")
    row["metrics"]["completed"] += 100
    json.dump(doc, open(base + "-more.json", "w"))
    rc_r, out_r, _ = gate(os.path.join(tmp, "reg"),
                          good + ["--baseline", base + "-more.json", "--fail-on-regression"])
    check(rc_r == 20, f"a regression with --fail-on-regression exits {rc_r}, want 20")
    check("metric worse (regression) | completed" in out_r, "the regression is not named")

    bmc = os.path.join(tmp, "bmc.sarif")
    p = subprocess.run([KVCHECK, "gate", "--checkers", "bmc", "--sarif", bmc,
                        "configs/orca_unsafe.toml"], cwd=SRC, capture_output=True, text=True,
                       timeout=600)
    check(p.returncode == 0, f"bmc gate exit {p.returncode}")
    doc = validate(bmc)
    results = doc["runs"][0]["results"]
    check(len(results) == 1 and "codeFlows" in results[0], "no BMC code flow")
    if results and "codeFlows" in results[0]:
        steps = results[0]["codeFlows"][0]["threadFlows"][0]["locations"]
        check([s["executionOrder"] for s in steps] == list(range(len(steps))),
              "code flow steps are not 0, 1, 2, ...")

print(f"{len(failures)} failed" if failures else "gate_reports_e2e: all checks passed")
sys.exit(1 if failures else 0)
