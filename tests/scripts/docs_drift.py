#!/usr/bin/env python3
"""docs_drift.py: keeps the docs in step with the schema and the rules table.

    docs_drift.py [--root DIR] [--octohac BIN] [--write | --self-test]

Checks, each failing the run with a message naming what is missing:
  1. every block and attribute of schema/octohac.json has a row in its block's table in
     docs/language.md, every enum value is in that row, and the generated schema
     reference (between the BEGIN/END markers) is exactly what the schema gives today;
  2. every profile of stdlib/std/profiles.oha is named in docs/language.md;
  3. every code of the rules table (compiler/rules.c `rule_infos`, or
     `octohac explain --list` when --octohac is given and supports it) has its own
     section in docs/rules.md, and docs/rules.md names no code the table lacks.

--write regenerates the schema reference between the markers of docs/language.md
instead of checking it (review the diff). --self-test runs the checks on a copy of the
docs with a row and a rule section removed and fails unless both are reported.
Exit status: 0 clean, 1 drift, 2 usage.
"""

import argparse
import json
import os
import re
import subprocess
import sys

BEGIN = "<!-- BEGIN schema reference: generated from schema/octohac.json by tests/scripts/docs_drift.py --write -->"
END = "<!-- END schema reference -->"


# ---------------------------------------------------------------- rendering the schema

def code(text):
    return f"`{text}`"


def unit_of(schema, type_name):
    return schema["types"].get(type_name, {}).get("unit")


def number(schema, attr, n):
    unit = unit_of(schema, attr["type"]) if attr["type"] != "int" else None
    return f"{n} {unit}" if unit else str(n)


def type_text(schema, attr):
    t = attr["type"]
    pattern = attr.get("pattern")
    if t in ("string", "word"):
        text = "string" if t == "string" else "word or string"
        if pattern:
            text += ": " + schema["patterns"][pattern]["expected"]
        if attr.get("max_length"):
            text += f", at most {attr['max_length']} bytes"
    elif t in ("int", "size", "rate", "duration"):
        text = t
        lo, hi = attr.get("min"), attr.get("max")
        if lo is not None and hi is not None:
            text += f" {number(schema, attr, lo)}–{number(schema, attr, hi)}"
        elif lo is not None:
            text += f" ≥ {number(schema, attr, lo)}"
        if attr.get("at_least"):
            text += f", ≥ {code(attr['at_least'])}"
        if attr.get("unit_optional"):
            text += f" (may carry the unit {code(attr['unit_optional'])})"
    elif t == "enum":
        text = "one of " + ", ".join(code(v) for v in attr["values"])
    elif t == "cidr":
        text = "cidr"
        if attr.get("prefix"):
            text += f" /{attr['prefix'][0]}–/{attr['prefix'][1]}"
    elif t == "list":
        items = attr["items"]
        plural = {"string": "strings", "word": "words or strings", "cidr": "CIDRs", "ip": "IPv4 addresses"}
        text = "list of " + plural.get(items["type"], items["type"])
        if items.get("pattern"):
            text += ", each " + schema["patterns"][items["pattern"]]["expected"]
        lo, hi = attr.get("min_items"), attr.get("max_items")
        if lo is not None and hi is not None:
            text += f"; {lo}–{hi} items"
    else:
        text = t
    alt = attr.get("alternative")
    if alt:
        text += ", or a " + type_text(schema, alt)
    calls = [c for c in ("param", "secret") if attr.get(c)]
    if calls:
        names = " or ".join(f"`{c}(…)`" for c in calls)
        text = names + " only" if attr.get("literal") is False else f"{text}, or {names}"
    return text


def default_text(schema, attr, value):
    if isinstance(value, bool):
        return code("true" if value else "false")
    if isinstance(value, (int, float)):
        return code(number(schema, attr, value))
    if isinstance(value, str):
        return code(value)
    if isinstance(value, list):
        return code("[" + ", ".join(value) + "]")
    if "by" in value:
        cases = "; ".join(f"{k} → {default_text(schema, attr, v)}" for k, v in value["cases"].items())
        return f"by {code(value['by'])}: {cases}"
    if "copy" in value:
        return f"the value of {code(value['copy'])}"
    if "scale" in value:
        return f"{value['factor']} × {code(value['scale'])}, at most {number(schema, attr, value['max'])}"
    if "param" in value:
        return code(f'param("{value["param"]}")')
    if "format" in value:
        return code('"' + value["format"].replace("{cluster}", "NAME") + '"')
    raise ValueError(f"unknown default form {value!r}")


def condition_text(cond):
    if "all" in cond:
        return " and ".join(condition_text(c) for c in cond["all"])
    if "is" in cond:
        return f"{code(cond['path'])} is {code(cond['is'])}"
    return f"{code(cond['path'])} is not {code(cond['not'])}"


def row(schema, attr):
    if attr.get("required"):
        default = "**required**"
    elif "default" in attr:
        default = default_text(schema, attr, attr["default"])
    else:
        default = "—"
    if attr.get("required_when"):
        default += f" (required when {condition_text(attr['required_when'])})"
    notes = attr["doc"]
    if attr.get("unknown_values"):
        notes += f"; other values are {attr['unknown_values']}, not OH1006"
    if attr.get("rules"):
        notes += "; see " + ", ".join(attr["rules"])
    cells = [code(attr["name"]), type_text(schema, attr), default, notes]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def block_heading(block):
    return "### cluster (top level)" if block["name"] == "cluster" else f"### {block['name']}"


def render_block(schema, block):
    out = [block_heading(block), "", block["doc"], ""]
    free = block.get("free_attributes")
    if free:
        out.append(f"Each entry is `key = \"value\"` (for example `{free['example']}`): keys are "
                   f"{schema['patterns'][free['key_pattern']]['expected']}, values are "
                   f"{schema['patterns'][free['pattern']]['expected']} (OH1007), and a cluster may set at most "
                   f"{free['max_entries']} tags (OH1005).")
        out.append("")
        return out
    out += ["| attribute | type | default | notes |", "|---|---|---|---|"]
    out += [row(schema, a) for a in block["attributes"]]
    out.append("")
    for form in block.get("forms", []):
        marker = form["marker"]
        marker_attr = next(a for a in block["attributes"] if a["name"] == marker)
        chosen = f"`{marker} = true`" if marker_attr["type"] == "bool" else f"`{marker}`"
        out.append(f"- The **{form['name'].replace('_', '-')}** form is chosen by {chosen}; it takes "
                   + ", ".join(code(a) for a in form["attributes"]) + " and requires "
                   + ", ".join(code(a) for a in form["required"]) + " (OH1008).")
    if block.get("forms"):
        out.append("- Exactly one form: a second form, or an attribute of another form, is OH1010. A "
                   f"`{block['name']}` block without a form is OH1008. A form the cluster's own body chooses "
                   "replaces one a profile chose, together with that profile's attributes of the other form.")
        out.append("")
    for rule in block.get("exclusive", []):
        excludes = rule["excludes"]
        others = "every other attribute of the block" if excludes == "*" else ", ".join(code(e) for e in excludes)
        when = " is set"
        if "when" in rule:
            when = f" is {code(rule['when'])} (written, or chosen by its default)"
        elif "unless" in rule:
            when = f" is set to anything but {code(rule['unless'])}"
        out.append(f"- When {code(rule['attribute'])}{when}, {others} may not be set (OH1010): "
                   f"{rule['help']}. A value a profile set is dropped (it takes its default), not reported, when the cluster's "
                   f"own body sets {code(rule['attribute'])}.")
    if block.get("exclusive"):
        out.append("")
    return out


def render_reference(schema):
    out = [BEGIN, ""]
    for block in schema["blocks"]:
        out += render_block(schema, block)
    out.append(END)
    return "\n".join(out)


# ---------------------------------------------------------------- the checks

def sections(markdown):
    """Heading line → the text up to the next heading of the same or a higher level."""
    result = {}
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6}) ", line)
        if not m:
            continue
        level = len(m.group(1))
        j = i + 1
        while j < len(lines):
            n = re.match(r"^(#{1,6}) ", lines[j])
            if n and len(n.group(1)) <= level:
                break
            j += 1
        result.setdefault(line.strip(), "\n".join(lines[i + 1:j]))
    return result


def check_language(root, schema, problems, write):
    path = os.path.join(root, "docs", "language.md")
    if not os.path.exists(path):
        problems.append("docs/language.md does not exist")
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    generated = render_reference(schema)
    start, end = text.find(BEGIN), text.find(END)
    if write:
        if start < 0 or end < 0:
            print("docs_drift: docs/language.md has no schema reference markers to write between", file=sys.stderr)
            sys.exit(2)
        text = text[:start] + generated + text[end + len(END):]
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("docs_drift: wrote the schema reference of docs/language.md")
    elif start < 0 or end < 0:
        problems.append("docs/language.md: the generated schema reference (BEGIN/END markers) is missing")
    elif text[start:end + len(END)] != generated:
        problems.append("docs/language.md: the schema reference differs from schema/octohac.json; "
                        "run `python3 tests/scripts/docs_drift.py --write` and review the diff")
    secs = sections(text)
    for block in schema["blocks"]:
        heading = block_heading(block)
        body = secs.get(heading)
        if body is None:
            problems.append(f"docs/language.md: no section `{heading}` for block `{block['name']}`")
            continue
        for attr in block["attributes"]:
            rows = [l for l in body.splitlines() if l.startswith(f"| `{attr['name']}` |")]
            if not rows:
                problems.append(f"docs/language.md: `{block['name']}.{attr['name']}` is not documented")
                continue
            for value in attr.get("values", []):
                if f"`{value}`" not in rows[0]:
                    problems.append(f"docs/language.md: value `{value}` of `{block['name']}.{attr['name']}` "
                                    "is not documented")
    profiles_path = os.path.join(root, "stdlib", "std", "profiles.oha")
    if os.path.exists(profiles_path):
        with open(profiles_path, encoding="utf-8") as f:
            for name in re.findall(r"^profile\s+([A-Za-z_][A-Za-z0-9_.-]*)", f.read(), re.M):
                if f"`{name}`" not in text:
                    problems.append(f"docs/language.md: std profile `{name}` is not documented")


def rule_codes(root, octohac):
    if octohac:
        p = subprocess.run([octohac, "explain", "--list"], capture_output=True, text=True)
        codes = re.findall(r"\bOH\d{4}\b", p.stdout)
        if p.returncode == 0 and codes:
            return sorted(set(codes))
    with open(os.path.join(root, "compiler", "rules.c"), encoding="utf-8") as f:
        source = f.read()
    codes = re.findall(r'^\s*X\("(OH\d{4})",', source, re.M)
    if not codes:
        codes = re.findall(r'\{\s*"(OH\d{4})",\s*SEV_', source)
    return sorted(set(codes))


def check_rules(root, octohac, problems):
    codes = rule_codes(root, octohac)
    if not codes:
        problems.append("no codes found in the rules table (compiler/rules.c rule_infos)")
        return
    path = os.path.join(root, "docs", "rules.md")
    if not os.path.exists(path):
        problems.append("docs/rules.md does not exist")
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    headings = set(re.findall(r"^#{2,4} .*?\b(OH\d{4})\b", text, re.M))
    for c in codes:
        if c not in headings:
            problems.append(f"docs/rules.md: {c} of the rules table has no section")
    for c in sorted(set(re.findall(r"\bOH\d{4}\b", text)) - set(codes)):
        problems.append(f"docs/rules.md: {c} is not in the rules table")


def self_test(root, octohac):
    """The checks can fail: a copy of the docs with one attribute row and one rule section
    removed must be reported on both counts."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for sub in ("schema", "docs", os.path.join("stdlib", "std")):
            shutil.copytree(os.path.join(root, sub), os.path.join(tmp, sub))
        os.makedirs(os.path.join(tmp, "compiler"))
        shutil.copy(os.path.join(root, "compiler", "rules.c"), os.path.join(tmp, "compiler", "rules.c"))
        lang = os.path.join(tmp, "docs", "language.md")
        with open(lang, encoding="utf-8") as f:
            text = f.read()
        with open(lang, "w", encoding="utf-8") as f:
            f.write(re.sub(r"^\| `task_cap` \|.*\n", "", text, count=1, flags=re.M))
        rules = os.path.join(tmp, "docs", "rules.md")
        with open(rules, encoding="utf-8") as f:
            text = f.read()
        with open(rules, "w", encoding="utf-8") as f:
            f.write(re.sub(r"^(#{2,4} )(.*?)OH2003\b", r"\1\2OH-2003", text, count=1, flags=re.M))
        schema = json.load(open(os.path.join(tmp, "schema", "octohac.json"), encoding="utf-8"))
        problems = []
        check_language(tmp, schema, problems, False)
        check_rules(tmp, octohac, problems)
        wanted = ["`octopus.task_cap` is not documented", "OH2003 of the rules table has no section"]
        missing = [w for w in wanted if not any(w in p for p in problems)]
        for w in missing:
            print(f"docs_drift: self-test: a broken copy was not reported: {w}", file=sys.stderr)
        if not missing:
            print("docs_drift: self-test: broken copies are reported")
        return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--octohac", help="the octohac binary, for `explain --list`")
    ap.add_argument("--write", action="store_true", help="regenerate the schema reference in docs/language.md")
    ap.add_argument("--only", choices=["language", "rules"], help="run one of the two checks")
    ap.add_argument("--self-test", action="store_true", help="prove the checks fail on broken copies of the docs")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    if args.self_test:
        return self_test(root, args.octohac)
    with open(os.path.join(root, "schema", "octohac.json"), encoding="utf-8") as f:
        schema = json.load(f)
    problems = []
    if args.only in (None, "language"):
        check_language(root, schema, problems, args.write)
    if args.only in (None, "rules") and not args.write:
        check_rules(root, args.octohac, problems)
    for p in problems:
        print(f"docs_drift: {p}", file=sys.stderr)
    if problems:
        print(f"docs_drift: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("docs_drift: docs match the schema and the rules table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
