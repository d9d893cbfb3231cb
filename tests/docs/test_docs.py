#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_docs: README.md and the man pages against the commands they describe.

- The commands in README.md's sh blocks and the man pages' EXAMPLES run as written: a block
  that starts the virtual board (`toe-sim --link unix:/tmp/toe.sock &`) runs line by line
  against it, with a web server on this machine's loopback for 10.0.2.2:8000 (the socket path
  and the port are the only things changed: both are made private to this run); `make` lines
  run dry (`make -n`, the recursive makes dry too); `toe --device ftdi-...` lines run and must
  find no board or one (exit 6 or 0, not 2: the device string parses); TAP lines (root, a
  namespace; tests/sim/test_ping_tap.sh runs them) have their toe-sim options parsed; `cc`
  lines are sw/tests/test_install.sh's. A line of another kind fails the test until it is
  given a kind here.
- Every synopsis (README's toe-sim, toe get and toe-httpd ones, the man pages' SYNOPSIS) is
  instantiated option by option, every alternative and optional part, and the command must
  accept it (run with --help appended: each option is parsed before --help is reached).
- `toe --help`, toe.1's SYNOPSIS and its COMMANDS list the same commands, and README names
  each; the options in `toe [COMMAND] --help` and toe.1 are the same, and so are those of
  `toe-sim --help` and toe-sim.1.
- Every `make TARGET` the README names is a target of the Makefile.

    tests/docs/test_docs.py     (from the top of the tree, after make; exit 77 = skipped)
"""
import http.server
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(TOP, "build", "bin")
TMP = tempfile.mkdtemp(prefix="test_docs.")
RESULTS = {"pass": 0, "fail": 0}


def report(ok, name, detail=""):
    RESULTS["pass" if ok else "fail"] += 1
    print(("PASS " if ok else "FAIL ") + name + (": " + detail if detail else ""), flush=True)


def run(argv, timeout=60, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=TOP, **kw)
    return p.returncode, p.stdout + p.stderr


def read(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as f:
        return f.read()


# ---- roff, as far as the man pages use it ---------------------------------------------------

def roff_escapes(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    return s.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\").replace("\\(em", "--")


def roff_to_lines(src):
    """Text lines of a man page: font macros joined as troff joins them; .br, .TP, .PP, .SH
    and the like end a line. Returns [(section, kind, text)], kind 'tag' for the line after .TP
    ('subtag' inside .RS/.RE), 'nf' inside .nf/.fi, else 'text'."""
    out, section, cur, nofill, tag_next, depth = [], "", [], False, False, 0

    def flush(kind="text"):
        if cur:
            out.append((section, kind, " ".join(cur)))
            cur.clear()

    for line in src.splitlines():
        if line.startswith('.\\"'):
            continue
        if line.startswith("."):
            macro, _, rest = line[1:].partition(" ")
            if macro == "SH":
                flush()
                section = rest.strip('"')
                continue
            if macro in ("TP", "PP", "br", "RS", "RE", "TH", "IP", "LP", "P"):
                flush()
                tag_next = macro == "TP"
                depth += (macro == "RS") - (macro == "RE")
                continue
            if macro == "nf":
                flush()
                nofill = True
                continue
            if macro == "fi":
                nofill = False
                continue
            args = shlex.split(rest.replace("\\", "\\\\"), posix=True)
            args = [a.replace("\\\\", "\\") for a in args]
            text = (" " if macro in ("B", "I") else "").join(args)
        else:
            text = line
        text = roff_escapes(text)
        if nofill:
            out.append((section, "nf", text))
        elif tag_next:
            cur.append(text)
            flush("subtag" if depth else "tag")
            tag_next = False
        else:
            cur.append(text)
    flush()
    return out


def man_section(lines, name, kinds=("text", "tag", "subtag")):
    return "\n".join(t for s, k, t in lines if s == name and k in kinds)


def man_examples(lines):
    """The .nf blocks of EXAMPLES, each a list of lines."""
    blocks, prev = [], None
    for i, (s, k, t) in enumerate(lines):
        if s == "EXAMPLES" and k == "nf":
            if prev != i - 1:
                blocks.append([])
            blocks[-1].append(t)
            prev = i
    return blocks


OPT_RE = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def options(text):
    return set(OPT_RE.findall(text))


# ---- synopses --------------------------------------------------------------------------------

PLACEHOLDERS = [
    ("A.B.C.D/N", "10.0.2.15/24"), ("A.B.C.D", "10.0.2.2"), ("DIR:N", "to-net:1"),
    ("XX:XX:XX:XX:XX:XX", "02:00:00:00:00:01"), ("URL...", "http://10.0.2.2/"),
]
WORDS = {
    "IFNAME": "tap0", "MAC": "02:00:00:00:00:01", "PATH": TMP + "/x.sock", "BAUD": "12000000",
    "FILE": TMP + "/f", "P": "1", "N": "1", "T": "1ms", "HPORT": "5555", "GPORT": "80",
    "HADDR": "127.0.0.1", "GADDR": "10.0.2.15", "URL": "http://10.0.2.2/",
    "DEVICE": "sim:" + TMP + "/x.sock", "SPEC": "sim:" + TMP + "/x.sock", "DIR": TMP,
    "HOST": "10.0.2.2", "COUNT": "3", "SIZE": "56", "INTERVAL": "1", "TIMEOUT": "2", "S": "30",
    "MS": "1000", "IP": "10.0.2.3", "PORT": "8000", "ROUTES": "10.0.2.0/24:80",
    "BYTES": "1M", "SECONDS": "1",
}


def instantiate(s):
    for a, b in PLACEHOLDERS:
        s = s.replace(a, b)
    return re.sub(r"\b[A-Z][A-Z0-9]*\b", lambda m: WORDS.get(m.group(0), m.group(0)), s)


def expand(s):
    """Every concrete form of a synopsis fragment: 'a|b' alternatives (outside brackets) and
    '[x]' optional parts (with and without)."""
    depth, parts, cur = 0, [], ""
    for ch in s:
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    parts.append(cur)
    if len(parts) > 1:
        return [f for p in parts for f in expand(p)]
    m = re.search(r"\[([^\[\]]*)\]", s)
    if not m:
        return [s]
    return expand(s[:m.start()] + m.group(1) + s[m.end():]) + expand(s[:m.start()] + s[m.end():])


def synopsis_items(text):
    """A synopsis line as a list of ('word', w) and ('opt', group) in order."""
    items, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == "[":
            depth, j = 0, i
            while j < len(text):
                depth += text[j] == "["
                depth -= text[j] == "]"
                j += 1
                if depth == 0:
                    break
            items.append(("opt", text[i + 1:j - 1].strip()))
            i = j
        else:
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            items.append(("word", text[i:j]))
            i = j
    return items


def synopsis_commands(text):
    """Concrete command lines for a synopsis: the words alone, then each option group in its
    place, once per form of it."""
    items = synopsis_items(text)
    words = [[instantiate(w) for w in expand(v)] if k == "word" else None for k, v in items]
    base_forms = [[]]
    for (k, v), w in zip(items, words):
        if k == "word":
            base_forms = [b + [x] for b in base_forms for x in w]
    cmds = [b for b in base_forms]
    for n, (k, v) in enumerate(items):
        if k != "opt":
            continue
        for form in expand(v):
            argv = []
            for m, (k2, v2) in enumerate(items):
                if k2 == "word":
                    argv.append(words[m][0])
                elif m == n:
                    argv += [instantiate(x) for x in form.split()]
            cmds.append(argv)
    return cmds


def program(word):
    name = os.path.basename(word)
    return os.path.join(BIN, name) if name in ("toe", "toe-sim", "toe-httpd") else None


def check_synopsis(name, text):
    bad, n = [], 0
    for argv in synopsis_commands(text):
        exe = program(argv[0])
        if not exe:
            bad.append("not a toe program: " + argv[0])
            continue
        n += 1
        args = argv[1:]
        if "CMD" in args:  # toe run: what follows is the command's own; --help goes before it
            args = args[:args.index("CMD")]
        rc, out = run([exe] + args + ["--help"], timeout=20)
        if rc != 0:
            bad.append("%s -> exit %d: %s" % (" ".join(argv[:1] + argv[1:]), rc,
                                              out.strip().splitlines()[0] if out.strip() else ""))
    report(not bad and n > 1, "test_docs_synopsis_" + name, "; ".join(bad) if bad else
           "%d forms accepted" % n)


# ---- running a documented session ------------------------------------------------------------

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def web_server(root):
    handler = lambda *a, **kw: Quiet(*a, directory=root, **kw)  # noqa: E731
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run_session(name, lines):
    """Run a documented session as written, line by line, in one shell: /tmp/toe.sock and
    port 8000 made private to this run. Each line must succeed; a line ending in '&' starts
    toe-sim, and the next line waits for its socket (as a person would)."""
    work = os.path.join(TMP, name)
    www = os.path.join(work, "www")
    os.makedirs(www)
    os.symlink(os.path.join(TOP, "build"), os.path.join(work, "build"))
    files = {"index.html": b"<html>toe docs test</html>\n", "a": b"first\n", "b": b"second\n",
             "big.bin": os.urandom(65536)}
    for f, data in files.items():
        with open(os.path.join(www, f), "wb") as fh:
            fh.write(data)
    srv = web_server(www)
    port = srv.server_address[1]
    sock = os.path.join(work, "toe.sock")
    script = ["set -eE -o pipefail",
              "trap 'echo \"FAILED LINE: $BASH_COMMAND\" >&2' ERR",
              "sims=()",
              "trap 'for p in \"${sims[@]}\"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' "
              "EXIT"]
    for line in lines:
        line = line.replace("/tmp/toe.sock", sock).replace("10.0.2.2:8000", "10.0.2.2:%d" % port)
        code = re.sub(r"\s+#.*$", "", line).rstrip()
        if code.endswith("&"):
            script += [code, "sims+=($!)",
                       "for i in $(seq 600); do [ -S %s ] && break; sleep 0.1; done"
                       % shlex.quote(sock)]
        else:
            script.append(code)
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    env.pop("TOE_DEVICE", None)
    p = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        err += b"\n(timed out after 300 s)"
    finally:
        srv.shutdown()
    problems = []
    if p.returncode != 0:
        problems.append("exit %d: %s" % (p.returncode, err.decode(errors="replace")[-600:]))
    # What the commands fetched is what was served.
    joined = "\n".join(lines)
    if "index.html" in joined or re.search(r"get http://10\.0\.2\.2:8000/(\s|$)", joined):
        if files["index.html"] not in out:
            problems.append("the page is not on standard output")
    for f in ("big.bin", "both"):
        if re.search(r"(-o |>)%s\b" % f, joined):
            want = files["big.bin"] if f == "big.bin" else files["a"] + files["b"]
            path = os.path.join(work, f)
            if not os.path.exists(path) or open(path, "rb").read() != want:
                problems.append(f + " is not what was served")
    report(not problems, "test_docs_run_" + name, "; ".join(problems) if problems else
           "%d lines ran" % len(lines))


# ---- the README's and the man pages' commands ------------------------------------------------

def readme_sh_blocks(text):
    blocks, cur = [], None
    for line in text.splitlines():
        s = line.strip()
        if cur is None and s == "```sh":
            cur = []
        elif cur is not None and s == "```":
            blocks.append(cur)
            cur = None
        elif cur is not None:
            cur.append(s)
    return blocks


def is_session(lines):
    return any(re.search(r"toe-sim\b.*--link unix:/tmp/toe.sock\s*&", l) for l in lines)


def check_line(name, line):
    """One documented command that is not part of a session."""
    code = re.sub(r"(^|\s+)#.*$", "", line).strip()
    if code.endswith("&"):
        code = code[:-1].rstrip()
    words = code.split()
    if not words:
        return
    if words[0] == "make":
        rc, out = run(["make", "--no-print-directory", "-n"] + words[1:], timeout=120)
        report(rc == 0, "test_docs_%s_make_dry (%s)" % (name, code), out[-400:] if rc else "")
    elif words[0] == "cc":
        return  # sw/tests/test_install.sh runs these
    elif words[:3] == ["ip", "netns", "exec"] and "toe-sim" in code:
        argv = words[4:]
        exe = program(argv[0])
        rc, out = run([exe] + argv[1:] + ["--help"]) if exe else (-1, "no such program")
        report(rc == 0, "test_docs_%s_tap_options (%s)" % (name, " ".join(argv)),
               out[-300:] if rc else "")
    elif words[0] == "ip":
        return  # root and a namespace: tests/sim/test_ping_tap.sh
    elif program(words[0]) and words[0].endswith("toe") and "--device" in words:
        dev = words[words.index("--device") + 1]
        rc, out = run([program(words[0])] + words[1:], timeout=60)
        report(rc in (0, 6) and not dev.startswith("sim:"),
               "test_docs_%s_board (%s)" % (name, code),
               "" if rc in (0, 6) else "exit %d: %s" % (rc, out.strip()[-300:]))
    else:
        report(False, "test_docs_%s_unclassified" % name,
               "'%s': give this kind of line a check in tests/docs/test_docs.py" % code)


def check_block(name, block):
    """A documented block: a session, a synopsis or lines of their own."""
    if is_session(block):
        run_session(name, block)
    elif block and "[--" in block[0]:
        check_synopsis(name, " ".join(block))
    else:
        for line in block:
            check_line(name, line)


def check_man_page(page, man, help_text_, option_sections):
    """Options against --help, every SYNOPSIS line, the EXAMPLES."""
    in_help = options(help_text_)
    in_man = options("\n".join(man_section(man, s) for s in option_sections))
    report(in_help == in_man, "test_docs_%s_options" % page,
           "only in --help: %s; only in %s: %s" % (sorted(in_help - in_man), page,
                                                   sorted(in_man - in_help))
           if in_help != in_man else "%d options" % len(in_help))
    for n, l in enumerate(man_section(man, "SYNOPSIS").splitlines(), 1):
        words = [v for k, v in synopsis_items(l) if k == "word"]
        check_synopsis("%s_%d_%s" % (page, n, words[1] if len(words) > 1 else ""), l)
    for n, block in enumerate(man_examples(man), 1):
        check_block("%s_%d" % (page, n), block)


def check_readme():
    text = read("README.md")
    for n, block in enumerate(readme_sh_blocks(text), 1):
        check_block("readme_%d" % n, block)
    # Synopses in the text: `toe get URL... [-o FILE] ...`, `build/bin/toe-httpd ... [-p PORT]`
    for m in re.finditer(r"`((?:build/bin/)?toe(?:-httpd|-sim)? [^`]*\[-[^`]*)`", text):
        syn = " ".join(m.group(1).split())
        check_synopsis("readme_text_" + syn.split()[0].split("/")[-1], syn)


def help_text(argv):
    rc, out = run(argv)
    if rc != 0:
        report(False, "test_docs_help (%s)" % " ".join(argv), "exit %d" % rc)
    return out


def check_toe():
    man = roff_to_lines(read("docs/man/toe.1"))
    main_help = help_text([os.path.join(BIN, "toe"), "--help"])
    m = re.search(r"^commands:\n((?:  \S.*\n)+)", main_help, re.M)
    help_cmds = {l.split()[0] for l in m.group(1).splitlines()} if m else set()
    syn = man_section(man, "SYNOPSIS")
    syn_cmds = set()
    for l in syn.splitlines():
        items = [v for k, v in synopsis_items(l) if k == "word"]
        if len(items) > 1 and items[0] == "toe" and not items[1].startswith("-"):
            syn_cmds.add(items[1])
    tag_cmds = {t.split()[0] for s, k, t in man if s == "COMMANDS" and k == "tag"}
    readme = read("README.md")
    readme_cmds = {c for c in help_cmds if re.search(r"`(?:build/bin/)?toe %s\b" % c, readme)}
    ok = help_cmds and help_cmds == syn_cmds == tag_cmds == readme_cmds
    report(bool(ok), "test_docs_toe_commands",
           "toe --help %s, toe.1 SYNOPSIS %s, COMMANDS %s, README %s" % (
               sorted(help_cmds), sorted(syn_cmds), sorted(tag_cmds), sorted(readme_cmds)))
    helps = main_help + "".join(help_text([os.path.join(BIN, "toe"), c, "--help"])
                                for c in sorted(help_cmds))
    check_man_page("toe.1", man, helps, ("SYNOPSIS", "OPTIONS", "COMMANDS"))


def check_toe_sim():
    man = roff_to_lines(read("docs/man/toe-sim.1"))
    check_man_page("toe-sim.1", man, help_text([os.path.join(BIN, "toe-sim"), "--help"]),
                   ("SYNOPSIS", "OPTIONS"))


def check_make_targets():
    text = read("README.md")
    named = set()
    for m in re.finditer(r"`make ([a-z][\w-]*)", text):
        named.add(m.group(1))
    for block in readme_sh_blocks(text):
        for line in block:
            w = line.split()
            if len(w) > 1 and w[0] == "make" and not w[1].startswith("-"):
                named.add(w[1])
    rc, db = run(["make", "-pRrq", "-f", "Makefile", ":"], timeout=120)
    targets = set(re.findall(r"^([a-z][\w-]*):", db, re.M))
    missing = sorted(named - targets)
    report(bool(named) and not missing, "test_docs_readme_make_targets",
           "not targets: %s" % missing if missing else "%d targets" % len(named))


def main():
    for p in ("toe", "toe-sim", "toe-httpd"):
        if not os.access(os.path.join(BIN, p), os.X_OK):
            print("SKIP: test_docs: build/bin/%s missing (run make)" % p)
            return 77
    try:
        check_toe_sim()
        check_toe()
        check_readme()
        check_make_targets()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("test_docs: %d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    return 0 if RESULTS["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
