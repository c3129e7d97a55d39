#!/usr/bin/env python3
"""graph_render.py: `octohac graph` against Graphviz and against the template it draws.

For a sample S:
- `graph S` (DOT) renders with Graphviz (`dot -Tsvg`); the SVG parses as XML;
- the drawing matches `build S -f json`: one box per AWS::EC2::Instance (node1..N), lb,
  users, db, fs, dir when there is a directory, redis exactly when the template has an
  ElastiCache replication group, tentacles exactly when it has polling listeners; two
  nodes share a zone box exactly when their SubnetIds are the same; the database says
  Multi-AZ exactly when the DB instance is; each node's edge from lb names the port of
  its polling listener (per node) or the shared one;
- `graph S --format mermaid` is a flowchart with one subgraph per zone box, the same
  node ids, zone membership and edges (solid or dashed) as the DOT, and no unescaped
  quote, `<` or `>` inside a label (`<br/>` aside).

The `escaping` case draws a file whose labels hold `\\`, `#`, `&`, `<`, `>` and DOT's own
escapes (`\\n`, `\\G`); the `selftest` case shows the checks fail on a broken drawing.

    graph_render.py --bin OCTOHAC [--dot DOT] [--list] [CASE...]

A CASE is a sample path, `escaping`, `selftest` or `docs` (docs/production.svg and
docs/polling.svg say what the binary draws now). Run from the source tree's root.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TIMEOUT = 120
BIN = DOT = None
SVG = "{http://www.w3.org/2000/svg}"


class Failure(Exception):
    pass


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=TIMEOUT)


def octohac(*args):
    r = run([BIN] + list(args))
    # warnings are fine; only the exit code matters
    if r.returncode != 0:
        raise Failure("octohac %s: exit %d\n%s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return r.stdout.decode()


# ---------------------------------------------------------------- reading the drawings

def parse_dot(text):
    """Nodes {id: (label, zone or None)}, zones [label], edges [(from, to, label, dashed)]
    from the DOT that graph.c writes (one statement per line)."""
    nodes, zones, edges, zone = {}, [], [], None
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r'^subgraph (cluster_\w+) \{$', s)
        if m:
            zone = m.group(1)
            continue
        m = re.match(r'^label="((?:[^"\\]|\\.)*)";$', s)
        if m and zone:
            zones.append((zone, m.group(1)))
            continue
        if s == "}" and zone:
            zone = None
            continue
        m = re.match(r'^(\w+) -> (\w+) \[label="((?:[^"\\]|\\.)*)"(, style=dashed)?\];$', s)
        if m:
            edges.append((m.group(1), m.group(2), m.group(3), bool(m.group(4))))
            continue
        m = re.match(r'^(\w+) \[shape=\w+, label="((?:[^"\\]|\\.)*)"\];$', s)
        if m:
            nodes[m.group(1)] = (m.group(2), zone)
    return nodes, zones, edges


def render_svg(dot_text):
    r = run([DOT, "-Tsvg"], stdin=dot_text.encode())
    if r.returncode != 0 or r.stderr.strip():
        raise Failure("dot -Tsvg failed (exit %d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    try:
        return ET.fromstring(r.stdout)
    except ET.ParseError as e:
        raise Failure("the SVG does not parse: %s" % e)


def svg_nodes(svg):
    """{node title: [text lines]} and the cluster titles of the rendered SVG."""
    nodes, clusters = {}, []
    for g in svg.iter(SVG + "g"):
        title = g.find(SVG + "title")
        if g.get("class") == "node":
            nodes[title.text] = [t.text or "" for t in g.iter(SVG + "text")]
        elif g.get("class") == "cluster":
            clusters.append(title.text)
    return nodes, clusters


MERMAID_NODE = re.compile(r'^(\w+)(\[\(|\(\[|\[/|\{\{|\[)"([^"]*)"(\)\]|\]\)|/\]|\}\}|\])$')
MERMAID_EDGE = re.compile(r'^(\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$')
MERMAID_SUBGRAPH = re.compile(r'^subgraph (\w+)\["([^"]*)"\]$')


def parse_mermaid(text):
    lines = text.splitlines()
    if not lines or lines[0] != "flowchart TB":
        raise Failure("Mermaid does not start with `flowchart TB`: %r" % lines[:1])
    nodes, zones, edges, zone = {}, [], [], None
    for line in lines[1:]:
        s = line.strip()
        m = MERMAID_SUBGRAPH.match(s)
        if m:
            if zone:
                raise Failure("nested subgraph: %r" % s)
            zone = m.group(1)
            zones.append((zone, m.group(2)))
            continue
        if s == "end":
            if not zone:
                raise Failure("`end` without a subgraph")
            zone = None
            continue
        m = MERMAID_EDGE.match(s)
        if m:
            edges.append((m.group(1), m.group(4), m.group(3), m.group(2) == "-.->"))
            continue
        m = MERMAID_NODE.match(s)
        if m:
            nodes[m.group(1)] = (m.group(3), zone)
            continue
        raise Failure("Mermaid line not understood: %r" % line)
    if zone:
        raise Failure("subgraph %s is not closed" % zone)
    for label in [n[0] for n in nodes.values()] + [e[2] for e in edges] + [z[1] for z in zones]:
        if re.search(r'[<>"]', label.replace("<br/>", "")):
            raise Failure("unescaped character in Mermaid label %r" % label)
    for a, b, _, _ in edges:
        if a not in nodes or b not in nodes:
            raise Failure("Mermaid edge %s -> %s to an undeclared node" % (a, b))
    return nodes, zones, edges


# ---------------------------------------------------------------- the checks

def expected_from_template(tmpl):
    res = tmpl["Resources"]
    by_type = {}
    for name, r in res.items():
        by_type.setdefault(r["Type"], []).append(name)
    instances = sorted(by_type.get("AWS::EC2::Instance", []), key=lambda n: int(re.sub(r"\D", "", n) or 0))
    listeners = {n: res[n]["Properties"]["Port"] for n in by_type.get("AWS::ElasticLoadBalancingV2::Listener", [])
                 if n.startswith("PollingListener")}
    db = [res[n]["Properties"] for n in by_type.get("AWS::RDS::DBInstance", [])]
    return res, instances, listeners, db, by_type


def check_drawing(dot_text, mermaid_text, tmpl, has_directory):
    res, instances, listeners, db, by_type = expected_from_template(tmpl)
    nodes, zones, edges = parse_dot(dot_text)
    svg_n, svg_clusters = svg_nodes(render_svg(dot_text))
    if set(svg_n) != set(nodes):
        raise Failure("the SVG has nodes %s, the DOT %s" % (sorted(svg_n), sorted(nodes)))
    if sorted(svg_clusters) != sorted(z for z, _ in zones):
        raise Failure("the SVG has clusters %s, the DOT %s" % (svg_clusters, zones))
    want = {"users", "lb", "db", "fs"} | {"node%d" % i for i in range(1, len(instances) + 1)}
    if has_directory:
        want.add("dir")
    if by_type.get("AWS::ElastiCache::ReplicationGroup"):
        want.add("redis")
    if listeners:
        want.add("tentacles")
    alarms = by_type.get("AWS::CloudWatch::Alarm", [])
    topics = by_type.get("AWS::SNS::Topic", [])
    emails = [s for t in topics for s in res[t]["Properties"].get("Subscription", [])]
    if by_type.get("AWS::Logs::LogGroup"):
        want |= {"alarms", "topic", "logs"} | ({"email"} if emails else set())
    if set(nodes) != want:
        raise Failure("nodes %s, wanted %s" % (sorted(nodes), sorted(want)))
    # alerting (issue 13): the alarm count, the path alarms -> topic -> e-mail, every node's agent
    if alarms and not nodes["alarms"][0].startswith("%d CloudWatch alarms" % len(alarms)):
        raise Failure("the alarms node reads %r, the template has %d alarms" % (nodes["alarms"][0], len(alarms)))
    if alarms and emails and not nodes["email"][0].startswith(emails[0]["Endpoint"]):
        raise Failure("the email node reads %r, the topic mails %r" % (nodes["email"][0], emails[0]["Endpoint"]))
    # zones: same box exactly when the same subnet
    for i, a in enumerate(instances, 1):
        for j, b in enumerate(instances, 1):
            same_subnet = json.dumps(res[a]["Properties"]["NetworkInterfaces"][0]["SubnetId"]) == \
                json.dumps(res[b]["Properties"]["NetworkInterfaces"][0]["SubnetId"])
            same_zone = nodes["node%d" % i][1] == nodes["node%d" % j][1] and nodes["node%d" % i][1]
            if same_subnet != bool(same_zone):
                raise Failure("node%d and node%d: same subnet %s, same zone box %s" % (i, j, same_subnet, same_zone))
    if db and (("Multi-AZ" in nodes["db"][0]) != bool(db[0].get("MultiAZ"))):
        raise Failure("db label %r but MultiAZ is %r" % (nodes["db"][0], db[0].get("MultiAZ")))
    # edges: every node is reached from lb and reaches the stores
    edge_set = {(a, b) for a, b, _, _ in edges}
    for i in range(1, len(instances) + 1):
        n = "node%d" % i
        for pair in [("lb", n), (n, "db"), (n, "fs")] + [(n, "dir")] * has_directory + \
                [(n, "redis")] * ("redis" in nodes) + [(n, "logs")] * ("logs" in nodes):
            if pair not in edge_set:
                raise Failure("missing edge %s -> %s" % pair)
        label = [e[2] for e in edges if e[:2] == ("lb", n)][0]
        port = listeners.get("PollingListener%d" % i, listeners.get("PollingListener"))
        if port is not None and "polling TCP %d" % port not in label:
            raise Failure("lb -> %s says %r, but its polling listener is on %d" % (n, label, port))
        if port is None and "polling" in label:
            raise Failure("lb -> %s says %r, but there is no polling listener" % (n, label))
    for pair in [("alarms", "topic")] * ("alarms" in nodes) + [("topic", "email")] * ("email" in nodes):
        if pair not in edge_set:
            raise Failure("missing edge %s -> %s" % pair)
    # Mermaid: the same graph
    m_nodes, m_zones, m_edges = parse_mermaid(mermaid_text)
    if set(m_nodes) != set(nodes):
        raise Failure("Mermaid nodes %s, DOT nodes %s" % (sorted(m_nodes), sorted(nodes)))
    if len(m_zones) != len(zones):
        raise Failure("Mermaid has %d subgraphs, DOT %d zone clusters" % (len(m_zones), len(zones)))
    dot_zone_of = {k: v[1] for k, v in nodes.items()}
    m_zone_of = {k: v[1] for k, v in m_nodes.items()}
    for a in nodes:
        for b in nodes:
            if (dot_zone_of[a] == dot_zone_of[b]) != (m_zone_of[a] == m_zone_of[b]):
                raise Failure("%s and %s are grouped differently in DOT and Mermaid" % (a, b))
    if sorted((a, b, d) for a, b, _, d in edges) != sorted((a, b, d) for a, b, _, d in m_edges):
        raise Failure("the Mermaid edges differ from the DOT edges")


def check_sample(path):
    dot_text = octohac("graph", path)
    if octohac("graph", path, "--format", "dot") != dot_text:
        raise Failure("--format dot differs from the default")
    text = octohac("build", path, "-f", "json")
    has_directory = any(k in text for k in ("AWS::DirectoryService::MicrosoftAD", "ActiveDirectoryId",
                                            "SelfManagedActiveDirectoryConfiguration"))
    check_drawing(dot_text, octohac("graph", path, "--format", "mermaid"), json.loads(text), has_directory)


ESCAPING = r'''cluster "odd" {
  directory { create = true, domain = "corp.example.com" }
  octopus { admin_email = "ops@example.com" }
  storage { existing = "\\\\fs1\\new\\G#1&<b>" }
  database { existing = secret("octopus/sql") }
}
'''


def check_escaping():
    with tempfile.TemporaryDirectory(prefix="graphesc-") as tmp:
        path = os.path.join(tmp, "odd.oha")
        open(path, "w").write(ESCAPING)
        dot_text = octohac("graph", path)
        svg_n, _ = svg_nodes(render_svg(dot_text))
        want = "\\\\fs1\\new\\G#1&<b>"
        if svg_n.get("fs") != ["existing file share", want]:
            raise Failure("the fs box reads %r, wanted %r" % (svg_n.get("fs"), ["existing file share", want]))
        m_nodes, _, _ = parse_mermaid(octohac("graph", path, "--format", "mermaid"))
        label = m_nodes["fs"][0]
        if label != "existing file share<br/>\\\\fs1\\new\\G#35;1#amp;#lt;b#gt;":
            raise Failure("Mermaid fs label %r" % label)


def svg_text(svg):
    """Every node, edge and cluster of an SVG as (class, title, text lines), sorted."""
    out = []
    for g in svg.iter(SVG + "g"):
        if g.get("class") in ("node", "edge", "cluster"):
            out.append((g.get("class"), g.find(SVG + "title").text, [t.text or "" for t in g.iter(SVG + "text")]))
    return sorted(out)


DOC_PICTURES = {"docs/production.svg": "samples/production.oha", "docs/polling.svg": "samples/polling.oha"}


def check_docs():
    """The committed pictures say what the binary draws now (labels, not layout)."""
    for picture, sample in DOC_PICTURES.items():
        try:
            committed = ET.parse(picture).getroot()
        except (OSError, ET.ParseError) as e:
            raise Failure("%s: %s" % (picture, e))
        if svg_text(committed) != svg_text(render_svg(octohac("graph", sample))):
            raise Failure("%s is stale: regenerate it as docs/graph.md says" % picture)


def check_selftest():
    """The checks must reject a drawing with a node missing, a node in the wrong zone, an
    unescaped quote, or a DOT that Graphviz refuses."""
    path = "samples/shared-queue.oha"
    dot_text, mermaid = octohac("graph", path), octohac("graph", path, "--format", "mermaid")
    tmpl = json.loads(octohac("build", path, "-f", "json"))
    node4 = [l for l in dot_text.splitlines(True) if l.strip().startswith("node4 [")][0]
    moved = dot_text.replace(node4, "").replace('label="zone 2";\n', 'label="zone 2";\n' + node4)
    broken = [  # (what is wrong, DOT, Mermaid, words of the failure that must catch it)
        ("no redis", re.sub(r"\n[^\n]*redis[^\n]*", "", dot_text), mermaid, "nodes"),
        ("node4 in zone 2", moved, mermaid, "same subnet"),
        ("a bad DOT", dot_text.replace("->", "-> ->", 1), mermaid, "dot -Tsvg failed"),
        ("a raw quote in Mermaid", dot_text, mermaid.replace("shared polling queue", 'shared "polling" queue'),
         "not understood"),
        ("a raw < in Mermaid", dot_text, mermaid.replace("shared polling queue", "shared <b>polling</b>"),
         "unescaped"),
        ("Mermaid without a node", dot_text, re.sub(r"\n  fs\[[^\n]*", "", mermaid), "undeclared"),
        ("Mermaid without a subgraph end", dot_text, mermaid.replace("  end\n", "", 1), "nested subgraph"),
    ]
    for what, d, m, caught_by in broken:
        try:
            check_drawing(d, m, tmpl, True)
        except Failure as e:
            if caught_by in str(e):
                continue
            raise Failure("a drawing with %s was caught by the wrong check: %s" % (what, e))
        raise Failure("the checks accepted a drawing with %s" % what)


def main():
    global BIN, DOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dot", default="dot")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    BIN, DOT = os.path.abspath(args.bin), args.dot
    samples = sorted(glob.glob("samples/*.oha"))
    if args.list:
        print("\n".join(samples + ["escaping", "selftest", "docs"]))
        return 0
    failed = 0
    for name in args.cases or samples + ["escaping", "selftest", "docs"]:
        try:
            {"escaping": check_escaping, "selftest": check_selftest, "docs": check_docs}.get(
                name, lambda: check_sample(name))()
            print("ok   %s" % name)
        except (Failure, subprocess.TimeoutExpired, OSError, KeyError, IndexError) as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
