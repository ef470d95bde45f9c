#!/usr/bin/env python3
"""Mutation testing of the fast test tier (issue 19): how many small planted bugs
`ctest -L fast` catches.

Samples N mutants (a fixed seed: the same commit gives the same sample) from the product code
and runs the fast tier against each. Two ways to run a mutant:

* schemata (default): every sampled mutant is compiled into ONE build of a private copy, each
  switched on at run time by KVMUT_ID (see kvmut_schema.h for the rewrite and why it keeps the
  original's precedence). A mutant then costs one run of the fast tests, not a rebuild. Sites
  whose rewrite does not compile, and && / || swaps, fall back to:
* rebuild: apply the one mutant to a second private copy, rebuild incrementally, run, restore.

The copies are made from the committed tree (git archive HEAD), never the working tree.
Results: WORKDIR/results.tsv, one line per mutant; the summary and the survivors on stdout.
Judged-equivalent survivors are listed in ci/mutation/equivalent.tsv (with the reason) and
reported separately: score = killed / (killed + survived - equivalent).
"""
import argparse
import collections
import filecmp
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import time

FOLDERS = ["models", "properties", "checkers", "counterexamples", "io", "sim"]
SWAPS = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
         "==": ["!="], "!=": ["=="], "&&": ["||"], "||": ["&&"], "+": ["-"], "-": ["+"],
         "*": ["/"]}
OP_NAME = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne", "+": "add",
           "-": "sub", "*": "mul", "/": "div"}
OP_RE = re.compile(r"(?<=[\w)\]]) (<=|>=|==|!=|&&|\|\||<|>|\+|-|\*) (?=[\w(!\-])")
INT_RE = re.compile(r"(?<![\w.'])(\d+)(?![\w.'])")
BOOL_RE = re.compile(r"\b(true|false)\b")
ERROR_RE = re.compile(r"^(/[^:\s]+):(\d+):(?:\d+:)? (?:fatal )?error:")
LOC_RE = re.compile(r"(/[^:\s]+):(\d+):\d+:")


def log(*a):
    print(*a, flush=True)


def sh(cmd, cwd=None, env=None, out=None, timeout=None):
    """Runs cmd (a list) at low priority; returns the exit status; output to file `out`."""
    with open(out or os.devnull, "w") as fh:
        try:
            return subprocess.run(["nice", "-n", "10"] + cmd, cwd=cwd, env=env, stdout=fh,
                                  stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return 124


# --- the copies -------------------------------------------------------------------------------
def export_head(root, head, dest):
    data = subprocess.run(["git", "-C", root, "archive", head], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest)


def sync_tree(new, dst, override=None):
    """Makes dst equal to new (plus `override`: rel path -> content), touching only files whose
    content changes, so the build in dst stays incremental."""
    override = override or {}
    wanted = set()
    for d, _, files in os.walk(new):
        for f in files:
            a = os.path.join(d, f)
            rel = os.path.relpath(a, new)
            wanted.add(rel)
            b = os.path.join(dst, rel)
            os.makedirs(os.path.dirname(b), exist_ok=True)
            if rel in override:
                text = override[rel]
                if not os.path.exists(b) or open(b, encoding="utf-8").read() != text:
                    with open(b, "w", encoding="utf-8") as fh:
                        fh.write(text)
            elif not os.path.exists(b) or not filecmp.cmp(a, b, shallow=False):
                shutil.copy(a, b)  # a fresh mtime: rebuilt
    for d, _, files in os.walk(dst):
        for f in files:
            b = os.path.join(d, f)
            if os.path.relpath(b, dst) not in wanted:
                os.remove(b)


# --- candidate sites --------------------------------------------------------------------------
def find_sites(src):
    sites = []
    for folder in FOLDERS:
        for dirpath, _, files in sorted(os.walk(os.path.join(src, folder))):
            for f in sorted(files):
                if not f.endswith((".h", ".cpp")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, src)
                with open(path, encoding="utf-8") as fh:
                    lines = fh.read().split("\n")
                for i, line in enumerate(lines):
                    code = line.split("//")[0]
                    s = code.strip()
                    if not s or s.startswith(("#", "*", "/*", "static_assert")) or '"' in code:
                        continue
                    for m in OP_RE.finditer(code):
                        for to in SWAPS[m.group(1)]:
                            sites.append((rel, i + 1, m.start(1), m.group(1), to))
                    for m in INT_RE.finditer(code):
                        if "virtual" in code and re.search(r"= 0;\s*$", code[:m.end(1) + 1]):
                            continue  # a pure specifier, not a value
                        v = int(m.group(1))
                        sites.append((rel, i + 1, m.start(1), m.group(1), str(v + 1)))
                        if v > 0:
                            sites.append((rel, i + 1, m.start(1), m.group(1), str(v - 1)))
                    for m in BOOL_RE.finditer(code):
                        sites.append((rel, i + 1, m.start(1), m.group(1),
                                      "false" if m.group(1) == "true" else "true"))
    return sites


def changed_lines(root, base):
    """{file: set(lines)} added or changed between `base` and HEAD (for a diff-scoped run)."""
    out = subprocess.run(["git", "-C", root, "diff", "-U0", f"{base}..HEAD", "--"] + FOLDERS,
                         check=True, capture_output=True, text=True).stdout
    result, cur = collections.defaultdict(set), None
    for line in out.split("\n"):
        if line.startswith("+++ "):
            cur = line[6:] if line.startswith("+++ b/") else None
        m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
        if m and cur:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            result[cur].update(range(start, start + count))
    return result


# --- schemata ---------------------------------------------------------------------------------
def schema_text(site_id, frm, to):
    if frm in OP_NAME:
        return f"{frm} ::kvmut::Site<::kvmut::Op::{OP_NAME[to]}>{{{site_id}}} {frm}"
    return f"(::kvmut::on({site_id}) ? {to} : {frm})"


LOGICAL = ("&&", "||")
MARK_RE = re.compile("\x01(\\d+)\x02")


def _assignment_at(s, i):
    """True when s[i] == '=' is an assignment (=, +=, ...), not part of ==, <=, >=, !=."""
    prev = s[i - 1] if i > 0 else ""
    nxt = s[i + 1] if i + 1 < len(s) else ""
    return nxt != "=" and prev not in "=<>!"


def _scope_colon(s, i):
    return (i > 0 and s[i - 1] == ":") or (i + 1 < len(s) and s[i + 1] == ":")


def logical_extent(s, pos, op):
    """(start, end) of `L op R` around the && / || at s[pos], by precedence: the operands reach
    to the nearest unmatched bracket, ; , ? : (not ::), an assignment, `return`, or a || (for
    &&: also && on the right, by left-associativity). None when the expression leaves the line."""
    depth, i, start = 0, pos - 1, None
    while i >= 0:
        c = s[i]
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if depth == 0:
                start = i + 1
                break
            depth -= 1
        elif depth == 0:
            if c in ";,?" or (c == ":" and not _scope_colon(s, i)) or \
                    (c == "=" and _assignment_at(s, i)) or \
                    (op == "&&" and c == "|" and i > 0 and s[i - 1] == "|") or \
                    (s[max(0, i - 5):i + 1] == "return" and (i < 6 or not s[i - 6].isalnum())):
                start = i + 1
                break
        i -= 1
    if start is None:
        return None
    depth, i, end = 0, pos + len(op), None
    while i < len(s):
        c = s[i]
        if s.startswith("//", i) or s.startswith("/*", i):
            return None
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                end = i
                break
            depth -= 1
        elif depth == 0:
            if c in ";,?" or (c == ":" and not _scope_colon(s, i)) or s.startswith("||", i) or \
                    (op == "&&" and s.startswith("&&", i)):
                end = i
                break
            if c == "=" and _assignment_at(s, i):
                return None
        i += 1
    if end is None:
        return None
    if not s[start:pos].strip() or not s[pos + len(op):end].strip():
        return None
    return start, end


def rewrite_logical(line, k, frm, to):
    """Replaces every marked occurrence of mutant k's operator; None if an extent is unclear."""
    mark = f"\x01{k}\x02"
    while mark in line:
        at = line.index(mark)
        pos = at + len(mark)
        masked = MARK_RE.sub(lambda m: " " * len(m.group(0)), line)
        ext = logical_extent(masked, pos, frm)
        if ext is None:
            return None
        start, end = ext
        left, right = line[start:at], line[pos + len(frm):end]
        l, r = left.strip(), right.strip()
        lead = left[:len(left) - len(left.lstrip())]
        trail = right[len(right.rstrip()):]
        line = (line[:start] + lead + f"(::kvmut::on({k}) ? (({l}) {to} ({r})) : (({l}) {frm} ({r})))"
                + trail + line[end:])
    return line


def apply_schemata(src, mutants):
    """({rel: new content}, ids that cannot be schemata) for the mutants (id, file, line, col,
    from, to). Operators and literals are rewritten in place right to left; && / || get a
    marker first and are rewritten afterwards over their whole operands (logical_extent)."""
    by_file = collections.defaultdict(list)
    for m in mutants:
        by_file[m[1]].append(m)
    texts, unfit = {}, set()
    for rel, ms in by_file.items():
        lines = open(os.path.join(src, rel), encoding="utf-8").read().split("\n")
        by_line = collections.defaultdict(list)
        for m in ms:
            by_line[m[2]].append(m)
        for line, lms in by_line.items():
            l = lines[line - 1]
            for k, _, _, col, frm, to in sorted(lms, key=lambda m: -m[3]):
                assert l[col:col + len(frm)] == frm, (rel, line, col, frm, l)
                if frm in LOGICAL:
                    l = l[:col] + f"\x01{k}\x02" + l[col:]
                else:
                    l = l[:col] + schema_text(k, frm, to) + l[col + len(frm):]
            for k, _, _, col, frm, to in sorted(lms, key=lambda m: m[3]):
                if frm not in LOGICAL:
                    continue
                done = rewrite_logical(l, k, frm, to) if "'" not in l else None
                if done is None:
                    unfit.add(k)
                    l = l.replace(f"\x01{k}\x02", "")
                else:
                    l = done
            assert "\x01" not in l, (rel, line, l)
            lines[line - 1] = l
        texts[rel] = "\n".join(lines)
    return texts, unfit


def failing_sites(build_log, schema_dir, mutants):
    """The schema mutants to drop after a failed build: those on a line an error points at (or,
    failing that, on any line of the error's context), else every mutant of a file the error
    context names."""
    by_loc = collections.defaultdict(list)
    by_file = collections.defaultdict(list)
    for m in mutants:
        by_loc[(m[1], m[2])].append(m[0])
        by_file[m[1]].append(m[0])

    def rel(path):
        p = os.path.realpath(path)
        root = os.path.realpath(schema_dir) + os.sep
        return p[len(root):] if p.startswith(root) else None

    drop = set()
    blocks, cur = [], []
    for line in open(build_log, encoding="utf-8", errors="replace"):
        if line.startswith("FAILED:"):
            if cur:
                blocks.append(cur)
            cur = []
        cur.append(line)
    if cur:
        blocks.append(cur)
    for block in blocks:
        errors = [ERROR_RE.match(l) for l in block]
        for e in filter(None, errors):
            r = rel(e.group(1))
            hit = by_loc.get((r, int(e.group(2))), [])
            if hit:
                drop.update(hit)
                continue
            ctx = [(rel(m.group(1)), int(m.group(2))) for l in block for m in LOC_RE.finditer(l)]
            near = [k for loc in ctx for k in by_loc.get(loc, [])]
            if near:
                drop.update(near)
            else:
                files = {r for r, _ in ctx if r in by_file}
                for f in files:
                    drop.update(by_file[f])
    return drop


# --- fast tests -------------------------------------------------------------------------------
def fast_targets(src):
    names = []
    for f in sorted(os.listdir(os.path.join(src, "tests"))):
        cm = os.path.join(src, "tests", f, "CMakeLists.txt")
        if not os.path.exists(cm):
            continue
        # comments go first: a ")" in a comment inside the call ended the match early, and
        # fuzz_test's FAST_CASES were never built (runs 1 to 4 scored without them)
        text = re.sub(r"#[^\n]*", "", open(cm, encoding="utf-8").read())
        for m in re.finditer(r"kvcheck_add_test\(\s*(\w+)([^)]*)\)", text):
            if re.search(r"\bLABEL\s+fast\b|\bFAST_CASES\b", m.group(2)):
                names.append(m.group(1))
    return names


class FastTier:
    """Which fast tests can see a file: each fast test's binary, and every source file (.cpp
    and header) compiled into that binary, from ninja's own dependency records."""

    def __init__(self, build, src):
        out = subprocess.run(["ctest", "-N", "-L", "fast"], cwd=build, capture_output=True,
                             text=True).stdout
        fast = set(re.findall(r"Test +#\d+: (\S+)", out))
        self.all = fast
        self.tests_of = collections.defaultdict(set)  # binary -> fast test names
        for d, _, files in os.walk(os.path.join(build, "tests")):
            for f in files:
                if f.endswith("_tests.cmake"):
                    text = open(os.path.join(d, f), encoding="utf-8").read()
                    for name, binary in re.findall(r"add_test\(\[=\[(.*?)\]=\]\s+(\S+)", text):
                        if name in fast:
                            self.tests_of[os.path.relpath(binary, build)].add(name)
        built = {os.path.basename(b) for b in self.tests_of}
        lost = sorted(set(fast_targets(src)) - built)
        if lost:
            sys.exit(f"fast tier: {', '.join(lost)} declared fast but no fast test of theirs "
                     f"is registered in {build} (not built?)")
        root = os.path.realpath(src) + os.sep
        self.sources = {}
        for binary in self.tests_of:
            cmds = subprocess.run(["ninja", "-C", build, "-t", "commands", binary],
                                  capture_output=True, text=True).stdout
            objs = re.findall(r" -o (\S+\.o)\b", cmds)
            srcs = set(re.findall(r" -c (\S+)", cmds))
            if objs:
                deps = subprocess.run(["ninja", "-C", build, "-t", "deps"] + objs,
                                      capture_output=True, text=True).stdout
                srcs.update(l.strip() for l in deps.split("\n") if l.startswith("    "))
            self.sources[binary] = {os.path.realpath(os.path.join(build, x))[len(root):]
                                    for x in srcs
                                    if os.path.realpath(os.path.join(build, x)).startswith(root)}

    def tests_for(self, rel):
        names = set()
        for binary, srcs in self.sources.items():
            if rel in srcs:
                names |= self.tests_of[binary]
        return names


def ctest_regex(names):
    return "^(" + "|".join(re.sub(r"([.^$|()\[\]*+?\\])", r"\\\1", n) for n in sorted(names)) + ")$"


def run_fast(build, args, log_path, mutant=None, tests=None):
    """Runs the fast tier (or just `tests`, a subset of it) with mutant `mutant` switched on."""
    env = dict(os.environ)
    env.pop("KVMUT_ID", None)
    if mutant is not None:
        env["KVMUT_ID"] = str(mutant)
    select = []
    if tests is not None:
        if not tests:
            with open(log_path, "w") as fh:
                fh.write("no fast test depends on the mutated file\n")
            return "survived", "(no fast test depends on the file)"
        select = ["-R", ctest_regex(tests)]
    rc = sh(["ctest", "-L", "fast", "-j", str(args.jobs), "--timeout", str(args.timeout),
             "--stop-on-failure"] + select, cwd=build, env=env, out=log_path)
    text = open(log_path, encoding="utf-8", errors="replace").read()
    by = re.search(r"\d+ - \S+ \((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)[^)]*\)",
                   text)
    if rc == 0:
        return "survived", ""
    return ("timeout" if "***Timeout" in text else "killed"), (by.group(0) if by else "")


def build(src, build_dir, targets, args, log_path):
    return sh(["cmake", "--build", build_dir, "--target"] + targets +
              ["-j", str(args.jobs), "--", "-k", "0"], out=log_path) == 0


# --- equivalence judgements -------------------------------------------------------------------
def site_key(src, rel, line, col, frm, to):
    text = open(os.path.join(src, rel), encoding="utf-8").read().split("\n")[line - 1]
    stripped = text.lstrip()
    return (rel, stripped.rstrip(), str(col - (len(text) - len(stripped))), frm, to)


def load_equivalent(path):
    eq = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) >= 6:
                eq[tuple(f[:5])] = f[5]
    return eq


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=30, help="mutants to sample (default 30)")
    ap.add_argument("-s", "--seed", type=int, default=19, help="sampling seed (default 19)")
    ap.add_argument("-w", "--workdir", default="/tmp/kvmut", help="private copies and builds")
    ap.add_argument("-t", "--timeout", type=int, default=60, help="per-test timeout, seconds")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="build and ctest parallelism")
    ap.add_argument("--mode", choices=["schemata", "rebuild"], default="schemata")
    ap.add_argument("--diff", metavar="REF",
                    help="only sites on lines changed between REF and HEAD (a CI sample)")
    ap.add_argument("--site", action="append", default=[], metavar="FILE:LINE:FROM:TO",
                    help="run this mutant instead of a sample (repeatable; every match on the line)")
    ap.add_argument("--rescore", metavar="OLD_WORKDIR",
                    help="rerun the survivors of an earlier run (its workdir, same -n and -s) "
                         "at HEAD, each found again by its line's text")
    ap.add_argument("--no-rebuild", action="store_true",
                    help="don't rebuild for mutants that cannot be schemata (they are listed as "
                         "not run and left out of the score)")
    ap.add_argument("--summary", metavar="WORKDIR",
                    help="print the score of an earlier (or running) run's results.tsv and exit")
    ap.add_argument("--list", action="store_true", help="print every candidate site and exit")
    args = ap.parse_args()

    root = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                           "--show-toplevel"], check=True, capture_output=True,
                          text=True).stdout.strip()
    head = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    work = os.path.abspath(args.workdir)
    fresh = os.path.join(work, "head-tree")
    shutil.rmtree(fresh, ignore_errors=True)
    os.makedirs(fresh)
    export_head(root, head, fresh)
    with open(os.path.join(work, "head"), "w") as fh:
        fh.write(head + "\n")

    sites = find_sites(fresh)
    if args.diff:
        lines = changed_lines(root, args.diff)
        sites = [s for s in sites if s[1] in lines.get(s[0], set())]
    if args.summary:
        return summary_of(args, root)
    if args.list:
        for k, s in enumerate(sites):
            print(k, *s, sep="\t")
        return 0
    rng = random.Random(args.seed)
    chosen = rng.sample(sites, min(args.n, len(sites)))
    if args.site:
        chosen = []
        for spec in args.site:
            f, line, frm, to = spec.rsplit(":", 3)
            match = [s for s in sites if (s[0], s[1], s[3], s[4]) == (f, int(line), frm, to)]
            if not match:
                sys.exit(f"--site {spec}: no such candidate site at HEAD")
            chosen.extend(match)  # every occurrence on the line (e.g. two `0 -> 1` literals)
    if args.rescore:
        chosen = rescore_sites(args, fresh, sites)
    mutants = [(k,) + s for k, s in enumerate(chosen)]
    log(f"# {len(sites)} candidate sites; sample of {len(mutants)} with seed {args.seed}; "
        f"HEAD {head[:12]}")
    if not mutants:
        log("no mutants to run")
        return 0

    equivalent = load_equivalent(os.path.join(root, "ci", "mutation", "equivalent.tsv"))
    keys = {m[0]: site_key(fresh, *m[1:]) for m in mutants}
    targets = fast_targets(fresh)
    results = {}
    open(os.path.join(work, "results.tsv"), "w").close()

    # Schemata: && / || and a second mutant at the same position go to the rebuild path.
    schema, rebuild = [], []
    taken = set()
    for m in mutants:
        pos = (m[1], m[2], m[3])
        if args.mode == "schemata" and pos not in taken:
            schema.append(m)
            taken.add(pos)
        else:
            rebuild.append(m)

    if schema:
        ssrc, sbuild = os.path.join(work, "schemata-src"), os.path.join(work, "schemata-build")
        blog = os.path.join(work, "schemata-build.log")
        header = os.path.join(work, "kvmut_schema.h")  # beside the copy: never in a TU's tree
        mine = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kvmut_schema.h")
        if not os.path.exists(header) or not filecmp.cmp(mine, header, shallow=False):
            shutil.copy(mine, header)  # only when changed: every TU depends on it
        texts, unfit = apply_schemata(fresh, schema)
        if unfit:
            log(f"  {len(unfit)} && / || mutants whose operands leave the line: "
                f"{'not run' if args.no_rebuild else 'rebuilt one at a time'}")
            rebuild += [m for m in schema if m[0] in unfit]
            schema = [m for m in schema if m[0] not in unfit]
        for attempt in range(8):
            texts, _ = apply_schemata(fresh, schema)
            sync_tree(fresh, ssrc, texts)
            if not os.path.exists(os.path.join(sbuild, "CMakeCache.txt")):
                sh(["cmake", "--preset", "dev", "-B", sbuild, f"-DCMAKE_CXX_FLAGS=-include {header}"],
                   cwd=ssrc, out=os.path.join(work, "schemata-configure.log"))
            t0 = time.time()
            ok = build(ssrc, sbuild, targets, args, blog)
            log(f"schemata build {attempt + 1}: {'ok' if ok else 'failed'} "
                f"({time.time() - t0:.0f} s, {len(schema)} mutants compiled in)")
            if ok:
                break
            drop = failing_sites(blog, ssrc, schema)
            if not drop:
                log(f"schemata: a build error names no mutant ({blog}); all go to rebuild")
                rebuild += schema
                schema = []
                break
            rebuild += [m for m in schema if m[0] in drop]
            schema = [m for m in schema if m[0] not in drop]
            log(f"  {len(drop)} mutants do not compile as schemata: "
                f"{'not run' if args.no_rebuild else 'rebuilt one at a time'}")
        else:
            rebuild += schema
            schema = []
        if schema:
            st, by = run_fast(sbuild, args, os.path.join(work, "ctest.log"))
            if st != "survived":
                sys.exit(f"baseline: the fast tier fails with no mutant on ({by}); "
                         f"see {work}/ctest.log")
            log("baseline: fast tier passes with the schemata compiled in and off")
            tier = FastTier(sbuild, ssrc)
            for m in schema:
                t0 = time.time()
                st, by = run_fast(sbuild, args, os.path.join(work, "ctest.log"), m[0],
                                  tier.tests_for(m[1]))
                results[m[0]] = (st, time.time() - t0, by, "schema")
                report_line(work, m, results[m[0]])

    if rebuild and args.no_rebuild:
        for m in rebuild:
            results[m[0]] = ("not-run", 0.0, "", "rebuild skipped")
            report_line(work, m, results[m[0]])
        rebuild = []
    if rebuild:
        src, bdir = os.path.join(work, "src"), os.path.join(work, "build")
        blog = os.path.join(work, "build.log")
        sync_tree(fresh, src)
        if not os.path.exists(os.path.join(bdir, "CMakeCache.txt")):
            sh(["cmake", "--preset", "dev", "-B", bdir], cwd=src,
               out=os.path.join(work, "configure.log"))
        if not build(src, bdir, targets, args, blog):
            sys.exit(f"baseline build failed: {blog}")
        st, by = run_fast(bdir, args, os.path.join(work, "ctest.log"))
        if st != "survived":
            sys.exit(f"baseline: the fast tier fails on HEAD ({by})")
        tier = FastTier(bdir, src)
        for m in rebuild:
            _, rel, line, col, frm, to = m
            path = os.path.join(src, rel)
            orig = open(path, encoding="utf-8").read()
            lines = orig.split("\n")
            l = lines[line - 1]
            lines[line - 1] = l[:col] + to + l[col + len(frm):]
            t0 = time.time()
            try:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write("\n".join(lines))
                if not build(src, bdir, targets, args, blog):
                    st, by = "build-failed", ""
                else:
                    st, by = run_fast(bdir, args, os.path.join(work, "ctest.log"), None,
                                      tier.tests_for(rel))
            finally:
                with open(path, "w", encoding="utf-8") as fh:  # a new mtime: recompiled
                    fh.write(orig)
            results[m[0]] = (st, time.time() - t0, by, "rebuild")
            report_line(work, m, results[m[0]])
        build(src, bdir, targets, args, blog)  # leave the copy built clean

    summarize(mutants, results, keys, equivalent, args, head, len(sites))
    return 0


def summary_of(args, root):
    """The score of an earlier or running run (its workdir, same -n and -s)."""
    old = os.path.abspath(args.summary)
    tree = os.path.join(old, "head-tree")
    sites = find_sites(tree)
    sample = random.Random(args.seed).sample(sites, min(args.n, len(sites)))
    mutants = [(k,) + x for k, x in enumerate(sample)]
    results = {}
    for line in open(os.path.join(old, "results.tsv"), encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) > 3:
            k = int(f[0])
            if f[1] != f"{sample[k][0]}:{sample[k][1]}":
                sys.exit(f"--summary: mutant {k} was {f[1]}, the rebuilt sample says "
                         f"{sample[k][0]}:{sample[k][1]}: pass the run's -n and -s")
            results[k] = (f[3], 0.0, "", "")
    keys = {m[0]: site_key(tree, *m[1:]) for m in mutants}
    equivalent = load_equivalent(os.path.join(root, "ci", "mutation", "equivalent.tsv"))
    head = open(os.path.join(old, "head")).read().strip() if os.path.exists(
        os.path.join(old, "head")) else "?"
    log(f"{len(results)} of {len(mutants)} mutants have a result")
    summarize(mutants, results, keys, equivalent, args, head, len(sites))
    return 0


def rescore_sites(args, fresh, sites):
    """The survivors of an earlier run (OLD_WORKDIR/results.tsv; its sample rebuilt from
    OLD_WORKDIR/head-tree with the same -n and -s), each matched at HEAD by its key (file, the
    line's text, the column in it, from, to), so lines that moved are still found."""
    old = os.path.abspath(args.rescore)
    old_sites = find_sites(os.path.join(old, "head-tree"))
    old_sample = random.Random(args.seed).sample(old_sites, min(args.n, len(old_sites)))
    survivors, where = set(), {}
    for line in open(os.path.join(old, "results.tsv"), encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) > 3:
            where[int(f[0])] = f[1]
            if f[3] == "survived":
                survivors.add(int(f[0]))
    now = {site_key(fresh, *s): s for s in sites}
    chosen = []
    for k in sorted(survivors):
        s = old_sample[k]
        if where[k] != f"{s[0]}:{s[1]}":
            sys.exit(f"--rescore: mutant {k} was {where[k]}, the rebuilt sample says "
                     f"{s[0]}:{s[1]}: pass the old run's -n and -s")
        key = site_key(os.path.join(old, "head-tree"), *s)
        if key in now:
            chosen.append(now[key])
        else:
            log(f"rescore: {s[0]}:{s[1]} {s[3]} -> {s[4]}: the line changed since; not rerun")
    log(f"rescore: {len(chosen)} of {len(survivors)} survivors of {old} found at HEAD")
    return chosen


def report_line(work, m, res):
    k, rel, line, col, frm, to = m
    st, secs, by, how = res
    row = f"{k}\t{rel}:{line}\t{frm} -> {to}\t{st}\t{secs:.0f}s\t{how}\t{by}"
    with open(os.path.join(work, "results.tsv"), "a") as fh:
        fh.write(row + "\n")
    log(row)


def group(rel):
    return rel.split("/")[0]


def summarize(mutants, results, keys, equivalent, args, head, n_sites):
    tally = collections.defaultdict(lambda: collections.Counter())
    survivors = []
    for m in mutants:
        if m[0] not in results:
            continue
        st = results[m[0]][0]
        eq = st == "survived" and keys[m[0]] in equivalent
        st2 = "equivalent" if eq else ("killed" if st == "timeout" else st)
        for g in (group(m[1]), "all"):
            tally[g][st2] += 1
            if st == "timeout":
                tally[g]["timeout"] += 1
        if st == "survived":
            survivors.append((m, equivalent.get(keys[m[0]])))
    log("")
    log(f"mutation score (seed {args.seed}, {len(mutants)} of {n_sites} sites, HEAD {head[:12]}):")
    log(f"  {'folder':<16} {'killed':>6} {'survived':>8} {'equiv.':>6} {'no-build':>8} "
        f"{'not-run':>7}  score")
    for g in FOLDERS + ["all"]:
        c = tally.get(g)
        if not c:
            continue
        scored = c["killed"] + c["survived"]
        score = f"{100 * c['killed'] / scored:.0f}%" if scored else "-"
        log(f"  {g:<16} {c['killed']:>6} {c['survived']:>8} {c['equivalent']:>6} "
            f"{c['build-failed']:>8} {c['not-run']:>7}  {score}")
    log("  score = killed / (killed + survived); judged-equivalent survivors "
        "(ci/mutation/equivalent.tsv), mutants the compiler rejects and mutants not run are "
        "not scored")
    log("survivors:")
    for m, reason in survivors:
        tag = f"   [equivalent: {reason}]" if reason else ""
        log(f"  {m[0]}\t{m[1]}:{m[2]}\t{m[4]} -> {m[5]}\t{keys[m[0]][1]}{tag}")


if __name__ == "__main__":
    sys.exit(main())
