#!/usr/bin/env python3
"""Runs the Universal Feed Parser's test suite through `gazette feeds parse`.

Each suite file carries, in its header comment, `Expect: <Python expression
over feedparser's result>` (e.g. `not bozo and entries[0]['title'] == 'x'`).
This script decides, for every expression, whether it is about something
gazette models, evaluates those that are against gazette's output mapped into
a feedparser-shaped dict, and prints pass / fail / not-applicable counts per
suite directory, overall, and the failures.

    python3 tools/feedparser_suite.py [--gazette target/debug/gazette]
        [--suite ../shared/data/feeds/feedparser] [--failures] [--json OUT]
        [--export-expectations OUT --export-files LIST]

Needs Python's `feedparser` (pip install feedparser), only to learn whether a
text construct was HTML or plain text, so that the expected value is compared
as the text a reader sees (see below).

What is mapped (everything else is "not applicable", with the reason):

| feedparser                                    | gazette `feeds parse` JSON       |
|-----------------------------------------------|----------------------------------|
| feed title, title_detail.value                 | title (plain text)               |
| feed subtitle, tagline, description (+ _detail.value) | description (plain text)  |
| feed link                                      | link                             |
| feed language                                  | language                         |
| feed updated_parsed                            | updated                          |
| entry title, title_detail.value                | entries[i].title (plain text)    |
| entry link                                     | entries[i].link                  |
| entry id                                       | entries[i].id                    |
| entry summary, description, summary_detail.value | entries[i].summary (plain text), else the content as text (feedparser falls back alike) |
| entry content[j].value                         | entries[i].content_html (as text)|
| entry author (names only), author_detail.name, authors[j].name | entries[i].authors[j] |
| entry published_parsed / updated_parsed        | entries[i].published / updated   |
| entry image.href                               | entries[i].image                 |

gazette keeps titles and summaries as plain text, so an expected value that
feedparser reports as HTML (its `*_detail.type` is HTML) is turned into the
text a reader sees (tags dropped, script/style contents dropped, entities
decoded) before comparing; if nothing is left (`<img src=...>`), the
expectation is about markup only and is not applicable. Whitespace runs
count as one space. Expectations compared this way are counted as
"as text" in the report. `not bozo` (feedparser's well-formedness flag) is
dropped from a conjunction; any other use of `bozo`, HTTP headers,
namespaces, `*_detail` keys other than `value`/`name`, links lists, tags,
enclosures, sources, iTunes/Media RSS/geo/psc extensions are not
applicable. An author written `Name (email)` by feedparser is not
applicable: gazette reports names.

The files are served by a local HTTP server (their `Header:` lines become
response headers), as feedparser's own test runner does, so relative links
resolve against an http base; the port is written back as 8097 (the port
feedparser's expectations name) before comparing.
"""

import argparse
import ast
import calendar
import collections
import html
import html.parser
import http.server
import json
import os
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

try:
    import feedparser
except ImportError:  # pragma: no cover
    sys.exit("this harness needs Python's feedparser: pip install feedparser")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEEDPARSER_PORT = 8097

# ---------------------------------------------------------------------------
# The mapping schema: feedparser key -> gazette leaf
# ---------------------------------------------------------------------------


class Leaf:
    """A feedparser value gazette models: `kind` says how to compare it,
    `pointer` where it is in gazette's JSON (with `{i}` for the entry index and
    `{j}` for a list index), `detail` which feedparser *_detail tells its type."""

    def __init__(self, kind, pointer, detail=None):
        self.kind, self.pointer, self.detail = kind, pointer, detail


TEXT_TITLE = Leaf("text", "title", "title_detail")
FEED_SCHEMA = {
    "title": Leaf("text", "/title", "title_detail"),
    "title_detail": {"value": Leaf("text", "/title", "title_detail")},
    "subtitle": Leaf("text", "/description", "subtitle_detail"),
    "tagline": Leaf("text", "/description", "subtitle_detail"),
    "description": Leaf("text", "/description", "subtitle_detail"),
    "subtitle_detail": {"value": Leaf("text", "/description", "subtitle_detail")},
    "tagline_detail": {"value": Leaf("text", "/description", "subtitle_detail")},
    "link": Leaf("str", "/link"),
    "language": Leaf("str", "/language"),
    "updated_parsed": Leaf("time", "/updated"),
}
ENTRY_SCHEMA = {
    "title": Leaf("text", "/entries/{i}/title", "title_detail"),
    "title_detail": {"value": Leaf("text", "/entries/{i}/title", "title_detail")},
    "link": Leaf("str", "/entries/{i}/link"),
    "id": Leaf("str", "/entries/{i}/id"),
    "summary": Leaf("text", "/entries/{i}/summary", "summary_detail"),
    "description": Leaf("text", "/entries/{i}/summary", "summary_detail"),
    "summary_detail": {"value": Leaf("text", "/entries/{i}/summary", "summary_detail")},
    "content": [{"value": Leaf("html", "/entries/{i}/content_html", "content")}],
    "author": Leaf("name", "/entries/{i}/authors/0"),
    "author_detail": {"name": Leaf("str", "/entries/{i}/authors/0")},
    "authors": [{"name": Leaf("str", "/entries/{i}/authors/{j}")}],
    "published_parsed": Leaf("time", "/entries/{i}/published"),
    "updated_parsed": Leaf("time", "/entries/{i}/updated"),
    "image": {"href": Leaf("str", "/entries/{i}/image")},
}
SCHEMA = {"feed": FEED_SCHEMA, "entries": [ENTRY_SCHEMA]}
BUILTINS = {"len": len, "u": str, "True": True, "False": False, "None": None}


class NotApplicable(Exception):
    pass


# ---------------------------------------------------------------------------
# HTML -> the text a reader sees
# ---------------------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    BLOCK = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "tr", "td", "th", "section", "article",
        "header", "footer", "dd", "dt", "dl", "hr", "figure", "figcaption",
    }
    HIDDEN = {"script", "style", "noscript", "template", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag in self.BLOCK:
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in self.BLOCK:
            self.out.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(data)


def html_text(markup):
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return norm("".join(parser.out))


def norm(text):
    return re.sub(r"\s+", " ", text).strip()


def is_html_type(media_type):
    return bool(media_type) and ("html" in media_type)


# ---------------------------------------------------------------------------
# Suite files
# ---------------------------------------------------------------------------


def header(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", "replace")
    if path.endswith(".json"):
        m = re.search(r'"__TEST__":\s*"(.*?)"', text)
        comment = m.group(1).replace(" Expect:", "\nExpect:") if m else ""
    else:
        m = re.search(r"<!--(.*?)-->", text, re.S)
        comment = m.group(1) if m else ""
    fields = collections.defaultdict(list)
    for line in comment.splitlines():
        m = re.match(r"\s*(\w+):\s*(.*?)\s*$", line)
        if m:
            fields[m.group(1)].append(m.group(2))
    return fields


def suite_files(suite):
    for root, _, files in sorted(os.walk(suite)):
        for name in sorted(files):
            if name.endswith((".xml", ".json", ".rdf", ".rss", ".atom")):
                yield os.path.join(root, name)


# ---------------------------------------------------------------------------
# Classification: which parts of an expression gazette models
# ---------------------------------------------------------------------------


def strip_not_bozo(tree):
    body = tree.body
    is_not_bozo = lambda n: (  # noqa: E731
        isinstance(n, ast.UnaryOp)
        and isinstance(n.op, ast.Not)
        and isinstance(n.operand, ast.Name)
        and n.operand.id == "bozo"
    )
    if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
        rest = [v for v in body.values if not is_not_bozo(v)]
        if not rest:
            return None
        body = rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.And(), values=rest)
    elif is_not_bozo(body):
        return None
    return ast.Expression(body=body)


def chain(node):
    """`entries[0]['title']` → ('entries', [0, 'title']), or None."""
    keys = []
    while True:
        if isinstance(node, ast.Subscript):
            k = node.slice
            if isinstance(k, ast.Constant):
                keys.append(k.value)
            elif isinstance(k, ast.UnaryOp) and isinstance(k.operand, ast.Constant):
                keys.append(-k.operand.value)
            else:
                raise NotApplicable("a computed index")
            node = node.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            if not node.args or not isinstance(node.args[0], ast.Constant):
                raise NotApplicable("get() with a computed key")
            keys.append(node.args[0].value)
            node = node.func.value
        elif isinstance(node, ast.Name):
            return node.id, list(reversed(keys))
        else:
            return None


def resolve(root, keys):
    """The schema node (Leaf, dict or list) at root/keys; NotApplicable if unmodelled."""
    node = SCHEMA.get(root)
    if node is None:
        raise NotApplicable(f"`{root}` is not modelled")
    indices = []
    shown = root
    for k in keys:
        if isinstance(node, list):
            if not isinstance(k, int):
                raise NotApplicable(f"{shown}.{k}")
            indices.append(k)
            node = node[0]
            shown += "[i]"
        elif isinstance(node, dict):
            if k not in node:
                raise NotApplicable(f"{shown}['{k}'] is not modelled")
            node = node[k]
            shown += f"['{k}']"
        else:
            raise NotApplicable(f"{shown} has no ['{k}']")
    return node, indices


class Classified:
    def __init__(self, expr):
        self.expr = expr
        self.status = None  # 'na' or 'mapped' or 'parses'
        self.reason = None
        self.leaves = []  # (Compare node, Leaf, indices) for text/time/name conversions
        self.tree = None


def classify(expr):
    c = Classified(expr)
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as e:
        c.status, c.reason = "na", f"not a Python expression ({e})"
        return c
    tree = strip_not_bozo(tree)
    if tree is None:
        c.status, c.reason = "na", "only `bozo` (well-formedness flag)"
        return c
    if isinstance(tree.body, ast.Constant):
        # `Expect: 1`: feedparser's runner only checks that the file parses.
        c.status, c.tree = "parses", tree
        return c
    try:
        chains = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in SCHEMA and node.id not in BUILTINS:
                raise NotApplicable(f"`{node.id}` is not modelled")
            if isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
                found = chain(node)
                if found is not None:
                    chains.append((node, found))
        # Only maximal chains (a chain is not the base of another one).
        inner = set()
        for node, _ in chains:
            for child in ast.walk(node):
                if child is not node:
                    inner.add(id(child))
        for node, (root, keys) in chains:
            if id(node) in inner:
                continue
            target, _ = resolve(root, keys)
            if isinstance(target, dict):
                # A whole dict compared to a literal holds keys gazette lacks.
                raise NotApplicable(f"a whole {root} dict compared")
        # Key membership: 'x' in feed
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(o, (ast.In, ast.NotIn)) for o in node.ops):
                left = node.left
                right = node.comparators[0]
                found = chain(right) if not isinstance(right, ast.Name) else (right.id, [])
                if isinstance(left, ast.Constant) and isinstance(left.value, str) and found:
                    target, _ = resolve(*found)
                    if isinstance(target, dict):
                        resolve(found[0], found[1] + [left.value])
                    elif isinstance(target, Leaf):
                        pass  # substring test on a value
        # Comparisons of a leaf to literals: remember them for conversion.
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                found = chain(node.left)
                if found:
                    target, indices = resolve(*found)
                    if isinstance(target, Leaf):
                        c.leaves.append((node, target, indices))
    except NotApplicable as e:
        c.status, c.reason = "na", str(e)
        return c
    c.status, c.tree = "mapped", tree
    return c


# ---------------------------------------------------------------------------
# gazette's output as a feedparser-shaped dict
# ---------------------------------------------------------------------------


class D(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def struct_time(rfc3339):
    if rfc3339 is None:
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", rfc3339)
    seconds = calendar.timegm(tuple(int(g) for g in m.groups()))
    return time.gmtime(seconds)


def drop_none(d):
    return D({k: v for k, v in d.items() if v is not None})


def as_feedparser(out):
    title = out.get("title")
    feed = drop_none(
        {
            "title": title,
            "title_detail": D(value=title) if title is not None else None,
            "subtitle": out.get("description"),
            "tagline": out.get("description"),
            "description": out.get("description"),
            "subtitle_detail": D(value=out["description"]) if out.get("description") is not None else None,
            "tagline_detail": D(value=out["description"]) if out.get("description") is not None else None,
            "link": out.get("link"),
            "language": out.get("language"),
            "updated_parsed": struct_time(out.get("updated")),
        }
    )
    entries = []
    for e in out.get("entries", []):
        authors = e.get("authors") or []
        # feedparser's summary falls back to the content when an entry has no
        # summary; the same with gazette's (its content as text).
        summary = e.get("summary")
        if summary is None and e.get("content_html"):
            summary = html_text(e["content_html"])
        entries.append(
            drop_none(
                {
                    "title": e.get("title"),
                    "title_detail": D(value=e["title"]) if e.get("title") is not None else None,
                    "link": e.get("link"),
                    "id": e.get("id"),
                    "summary": summary,
                    "description": summary,
                    "summary_detail": D(value=summary) if summary is not None else None,
                    "content": [D(value=e["content_html"])] if e.get("content_html") else None,
                    "author": authors[0] if authors else None,
                    "author_detail": D(name=authors[0]) if authors else None,
                    "authors": [D(name=a) for a in authors] if authors else None,
                    "published_parsed": struct_time(e.get("published")),
                    "updated_parsed": struct_time(e.get("updated")),
                    "image": D(href=e["image"]) if e.get("image") else None,
                }
            )
        )
    return feed, entries


# ---------------------------------------------------------------------------
# Converting expected literals, evaluating
# ---------------------------------------------------------------------------


def detail_type(fp, leaf, indices):
    """feedparser's media type for the text construct behind `leaf`."""
    if leaf.pointer.startswith("/entries"):
        try:
            scope = fp.entries[indices[0]]
        except (IndexError, AttributeError):
            return None
    else:
        scope = fp.feed
    try:
        if leaf.detail == "content":
            j = indices[1] if len(indices) > 1 else 0
            return scope["content"][j]["type"]
        if leaf.detail == "summary_detail" and "summary_detail" not in scope and "content" in scope:
            return scope["content"][0]["type"]
        return scope[leaf.detail]["type"]
    except (KeyError, IndexError, TypeError):
        return None


def fold(node):
    """`'a' + 'b'` (string literals added) as one literal."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = fold(node.left), fold(node.right)
        if all(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in (left, right)):
            return ast.Constant(value=left.value + right.value)
    return node


def convert(c, fp):
    """Rewrites the comparisons of text leaves in c.tree: both sides as a reader's
    text. Returns (tree, as_text) or raises NotApplicable."""
    as_text = False
    for node, leaf, indices in c.leaves:
        if leaf.kind not in ("text", "html", "name"):
            continue
        converted = []
        for comp in node.comparators:
            comp = fold(comp)
            if not (isinstance(comp, ast.Constant) and isinstance(comp.value, str)):
                converted.append(comp)
                continue
            value = comp.value
            if leaf.kind == "name" and "@" in value:
                raise NotApplicable("feedparser's `Name (email)` author string; gazette reports names")
            if leaf.kind in ("text", "html"):
                kind = detail_type(fp, leaf, indices)
                if is_html_type(kind) or leaf.kind == "html" and kind is None:
                    text = html_text(value)
                    if text != norm(value):
                        as_text = True
                    if not text and value.strip():
                        raise NotApplicable("markup only (gazette keeps the text)")
                    value = text
                else:
                    value = norm(value)
            converted.append(ast.Constant(value=value))
        node.comparators = converted
        func = "_html_text" if leaf.kind == "html" else "_norm"
        if leaf.kind in ("text", "html"):
            node.left = ast.Call(func=ast.Name(id=func, ctx=ast.Load()), args=[node.left], keywords=[])
    return ast.fix_missing_locations(c.tree), as_text


def evaluate(tree, out):
    feed, entries = as_feedparser(out)
    env = dict(BUILTINS)
    env.update(feed=feed, entries=entries, _norm=norm, _html_text=html_text)
    try:
        return bool(eval(compile(tree, "<expect>", "eval"), {"__builtins__": {}}, env))
    except (KeyError, IndexError, AttributeError, TypeError) as e:
        return False if not isinstance(e, TypeError) else False


def at_pointer(out, pointer):
    """The value at a JSON pointer of gazette's output, or None."""
    value = out
    for part in pointer.strip("/").split("/"):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def pointers(c):
    """For exportable expectations (conjunctions of `leaf == literal`), the list
    of (JSON pointer, kind, expected) pairs; None when not of that shape."""
    body = c.tree.body
    parts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    checks = []
    leaves = {id(n): (leaf, idx) for n, leaf, idx in c.leaves}
    for part in parts:
        if not (isinstance(part, ast.Compare) and id(part) in leaves):
            return None
        if not all(isinstance(o, ast.Eq) for o in part.ops):
            return None
        leaf, idx = leaves[id(part)]
        if leaf.kind == "html":
            return None
        for comp in part.comparators:
            if not isinstance(comp, ast.Constant) and not isinstance(comp, ast.Tuple):
                return None
            value = ast.literal_eval(comp)
            if leaf.kind == "time":
                value = time.strftime("%Y-%m-%dT%H:%M:%SZ", tuple(value))
            pointer = leaf.pointer.replace("{i}", str(idx[0]) if idx else "0")
            pointer = pointer.replace("{j}", str(idx[1]) if len(idx) > 1 else "0")
            kind = "text" if leaf.kind in ("text",) else "exact"
            checks.append({"pointer": pointer, "compare": kind, "expected": value})
    return checks


# ---------------------------------------------------------------------------
# Serving the files, running gazette
# ---------------------------------------------------------------------------


def serve(suite):
    headers_of = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            rel = self.path.split("?")[0]
            if not rel.startswith("/tests/"):
                self.send_error(404)
                return
            path = os.path.join(suite, rel[len("/tests/"):])
            if not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                body = f.read()
            extra = headers_of.setdefault(path, header(path).get("Header", []))
            self.send_response(200)
            names = set()
            for h in extra:
                if ":" in h:
                    name, value = h.split(":", 1)
                    names.add(name.strip().lower())
                    self.send_header(name.strip(), value.strip())
            if "content-type" not in names:
                self.send_header(
                    "Content-Type", "application/json" if path.endswith(".json") else "application/xml"
                )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_gazette(binary, config, urls):
    """gazette feeds parse over urls: {url: output dict or error string}."""
    results = {}
    for start in range(0, len(urls), 100):
        batch = urls[start : start + 100]
        proc = subprocess.run(
            [binary, "-q", "--config", config, "feeds", "parse", *batch],
            capture_output=True,
            text=True,
        )
        if proc.stdout.strip():
            out = json.loads(proc.stdout)
            for item in out if isinstance(out, list) else [out]:
                results[item["source"]] = item
        for line in proc.stderr.splitlines():
            m = re.match(r"gazette: (http://\S+?): (.*)", line)
            if m:
                results.setdefault(m.group(1), m.group(2))
        for url in batch:
            results.setdefault(url, f"no output (exit {proc.returncode}): {proc.stderr[-300:]}")
    return results


def find_binary(given):
    if given:
        return given
    for profile in ("release", "debug"):
        for target in (os.environ.get("CARGO_TARGET_DIR"), os.path.join(REPO, "target")):
            if target and os.path.exists(os.path.join(target, profile, "gazette")):
                return os.path.join(target, profile, "gazette")
    sys.exit("no gazette binary found: build it, or give --gazette PATH")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gazette", help="the gazette binary (default: target/{release,debug}/gazette)")
    ap.add_argument("--suite", default=os.path.join(REPO, "..", "shared", "data", "feeds", "feedparser"))
    ap.add_argument("--failures", action="store_true", help="list every failure")
    ap.add_argument("--na-reasons", action="store_true", help="count the not-applicable reasons")
    ap.add_argument("--json", help="write every case's result here")
    ap.add_argument("--export-expectations", help="write checks for the files in --export-files here")
    ap.add_argument("--export-files", help="a file listing suite paths (relative to --suite), one a line")
    args = ap.parse_args()
    binary = find_binary(args.gazette)
    suite = os.path.abspath(args.suite)

    cases = []
    for path in suite_files(suite):
        fields = header(path)
        for expr in fields.get("Expect", []):
            cases.append((path, expr))
    server = serve(suite)
    port = server.server_address[1]
    url_of = lambda p: f"http://127.0.0.1:{port}/tests/" + os.path.relpath(p, suite)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "gazette.toml")
        with open(config, "w") as f:
            f.write(f'data_dir = "{tmp}"\n[fetch]\nallow_private_networks = true\n')
        files = sorted({p for p, _ in cases})
        started = time.monotonic()
        results = run_gazette(binary, config, [url_of(p) for p in files])
        elapsed = time.monotonic() - started
    server.shutdown()
    real_base = f"127.0.0.1:{port}"

    def fix_port(value):
        if isinstance(value, str):
            return value.replace(real_base, f"127.0.0.1:{FEEDPARSER_PORT}")
        if isinstance(value, list):
            return [fix_port(v) for v in value]
        if isinstance(value, dict):
            return {k: fix_port(v) for k, v in value.items()}
        return value

    counts = collections.defaultdict(collections.Counter)
    failures, na_reasons, records = [], collections.Counter(), []
    export_files = set()
    if args.export_files:
        with open(args.export_files) as f:
            export_files = {line.strip() for line in f if line.strip()}
    exported = collections.defaultdict(list)
    for path, expr in cases:
        rel = os.path.relpath(path, suite)
        directory = os.path.dirname(rel)
        out = fix_port(results[url_of(path)])
        c = classify(expr)
        status, as_text, detail = c.status, False, c.reason
        if status == "parses":
            status = "pass" if isinstance(out, dict) else "fail"
            detail = "parses" if isinstance(out, dict) else out
        elif status == "mapped":
            fp = feedparser.parse(path, response_headers={"content-location": f"http://127.0.0.1:{FEEDPARSER_PORT}/tests/{rel}"})
            try:
                tree, as_text = convert(c, fp)
            except NotApplicable as e:
                status, detail = "na", str(e)
            else:
                if not isinstance(out, dict):
                    status, detail = "fail", f"gazette could not parse it: {out}"
                else:
                    status = "pass" if evaluate(tree, out) else "fail"
                    detail = None
                    if status == "pass" and rel in export_files:
                        checks = pointers(c)
                        if (
                            checks
                            and not any("8097" in str(ch["expected"]) for ch in checks)
                            and all(at_pointer(out, ch["pointer"]) is not None for ch in checks)
                        ):
                            exported[rel].append({"expect": expr, "checks": checks})
        if status == "na":
            na_reasons[re.sub(r"\[\d+\]|'\w+' is", "", detail or "")[:80]] += 1
        counts[directory][status] += 1
        if as_text and status in ("pass", "fail"):
            counts[directory]["as text"] += 1
        if status == "fail":
            failures.append((rel, expr, detail, out))
        records.append({"file": rel, "expect": expr, "status": status, "detail": detail, "as_text": as_text})

    def line(name, c):
        applicable = c["pass"] + c["fail"]
        rate = f"{100 * c['pass'] / applicable:5.1f} %" if applicable else "    –  "
        return f"{name:<22} {c['pass']:>5} {c['fail']:>5} {c['na']:>5} {c['as text']:>7}   {rate}"

    print(f"{'directory':<22} {'pass':>5} {'fail':>5} {'n/a':>5} {'as text':>7}   pass rate (of applicable)")
    total = collections.Counter()
    for directory in sorted(counts):
        print(line(directory, counts[directory]))
        total.update(counts[directory])
    print(line("all", total))
    parse_failures = sum(1 for p in {p for p, _ in cases} if not isinstance(results[url_of(p)], dict))
    print(f"{len({p for p, _ in cases})} files, {len(cases)} expectations; gazette could not parse "
          f"{parse_failures} files; {elapsed:.1f} s for all `feeds parse` runs")
    if args.na_reasons:
        print("\nnot applicable, by reason:")
        for reason, n in na_reasons.most_common():
            print(f"{n:>6}  {reason}")
    if args.failures:
        print("\nfailures:")
        for rel, expr, detail, out in failures:
            print(f"- {rel}: {expr}")
            if detail:
                print(f"    {detail}")
            elif isinstance(out, dict):
                brief = {k: out.get(k) for k in ("title", "link", "language", "updated") if out.get(k)}
                if out.get("entries"):
                    brief["entries[0]"] = out["entries"][0]
                print(f"    gazette: {json.dumps(brief, ensure_ascii=False)[:400]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1, ensure_ascii=False)
    if args.export_expectations:
        with open(args.export_expectations, "w") as f:
            json.dump(
                [{"file": k, "expectations": v} for k, v in sorted(exported.items())],
                f,
                indent=1,
                ensure_ascii=False,
            )
            f.write("\n")


if __name__ == "__main__":
    main()
