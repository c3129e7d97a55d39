"""cfn_template.py: helpers shared by the output checks (golden, roundtrip, validate_aws,
refcheck, determinism, guard): running `octohac build` on a sample, loading YAML with
CloudFormation's short-form tags expanded to their JSON forms, and walking a template's
intrinsic functions. It checks nothing by itself."""

import argparse
import json
import os
import subprocess
import sys

import yaml

# Short-form tag -> the key of the one-member object it stands for.
SHORT_FORMS = {
    "Ref": "Ref", "GetAtt": "Fn::GetAtt", "Sub": "Fn::Sub", "Join": "Fn::Join",
    "Select": "Fn::Select", "GetAZs": "Fn::GetAZs", "Base64": "Fn::Base64",
    "Equals": "Fn::Equals", "If": "Fn::If", "Not": "Fn::Not", "And": "Fn::And",
    "Or": "Fn::Or", "FindInMap": "Fn::FindInMap", "Split": "Fn::Split", "Cidr": "Fn::Cidr",
    "ImportValue": "Fn::ImportValue", "Condition": "Condition",
}

PSEUDO_PARAMETERS = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}


class CfnLoader(yaml.SafeLoader):
    """PyYAML's safe loader plus CloudFormation's `!Tag` short forms."""


def _construct_short_form(loader, suffix, node):
    if suffix not in SHORT_FORMS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
    key = SHORT_FORMS[suffix]
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":        # !GetAtt A.B.C -> ["A", "B.C"]
            resource, _, attribute = value.partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_short_form)


def load_yaml(text):
    return yaml.load(text, Loader=CfnLoader)


def source_dir():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# `--operations` given to a check: every build is of the operations template instead.
BUILD_FLAGS = []


def operations_option(ap):
    """Adds `--operations` to a check's arguments: the check then runs on each sample's
    operations template (`octohac build --operations`)."""
    ap.add_argument("--operations", action="store_true",
                    help="check the operations template (build --operations) of each sample")


def use_operations(args):
    if getattr(args, "operations", False):
        BUILD_FLAGS[:] = ["--operations"]


def build(octohac, sample, fmt, cwd=None, env=None):
    """Runs `octohac build SAMPLE -f FMT` (plus BUILD_FLAGS); returns (exit code, stdout bytes,
    stderr text)."""
    proc = subprocess.run([octohac, "build", sample, "-f", fmt, *BUILD_FLAGS], cwd=cwd or source_dir(), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def build_or_die(octohac, sample, fmt):
    code, out, err = build(octohac, sample, fmt)
    if code != 0:
        sys.stderr.write(f"{sample}: `octohac build -f {fmt}` exited {code}\n{err}")
        sys.exit(1)
    return out


def check_arguments():
    """The arguments of a template check: `--octohac BIN SAMPLE.oha...`, or `--template F.json`
    (a deliberately broken fixture) with `--expect-error TEXT` for each problem it must find."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--octohac")
    ap.add_argument("--template")
    ap.add_argument("--expect-error", action="append", default=[])
    ap.add_argument("samples", nargs="*")
    operations_option(ap)
    args = ap.parse_args()
    use_operations(args)
    return args


def templates_of(args):
    """(name, template) for `--template` and for each sample, built to JSON."""
    templates = []
    if args.template:
        with open(args.template, encoding="utf-8") as f:
            templates.append((args.template, json.load(f)))
    for sample in args.samples:
        templates.append((sample, json.loads(build_or_die(args.octohac, sample, "json"))))
    return templates


def report(tool, problems, expected, summary, what="problems"):
    """Prints PROBLEMS and returns the exit code: with EXPECTED texts, 0 only when each is
    found in some problem (the check is seen to fail); otherwise 0 only when there are none,
    after the SUMMARY line."""
    for p in problems:
        print(p)
    if expected:
        missing = [t for t in expected if not any(t in p for p in problems)]
        if missing:
            print(f"{tool}: expected {what} not reported: {missing}")
            return 1
        print(f"{tool}: all {len(expected)} expected {what} were reported")
        return 0
    print(f"{tool}: {summary}")
    return 1 if problems else 0


def strict_equal(a, b, path="$"):
    """Equality that tells 1 from 1.0 from True and checks key order; returns the first
    difference as a message, or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} vs {list(b)}"
        for k in a:
            d = strict_equal(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = strict_equal(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def is_intrinsic(value):
    return (isinstance(value, dict) and len(value) == 1 and
            (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")))
