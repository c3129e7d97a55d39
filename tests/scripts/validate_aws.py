#!/usr/bin/env python3
"""validate_aws.py: every resource of a template against its AWS provider schema.

An independent check beside octohac's own verify stage: for each resource it validates
`Properties` against schema/aws/<type>.json with python3-jsonschema (Draft 7). A value
that is an intrinsic function (`{"Ref": …}`, `{"Fn::…": …}`) or a string holding a
dynamic reference (`{{resolve:…}}`) is resolved by CloudFormation at deploy time, so
every keyword accepts it. ECMAScript's `\\p{L}`, `\\p{Z}` and `\\p{N}`, which Python's `re`
lacks, are read as `\\w`, whitespace and `\\d`. A resource type with no schema fails.

  validate_aws.py --octohac BIN SAMPLE.oha...
  validate_aws.py --template F.json [--expect-error TEXT]...   (with --expect-error the
      check passes only if every TEXT is found among the reported violations)
"""

import functools
import json
import os
import re
import sys

import jsonschema

import cfn_template

SCHEMA_DIR = os.path.join(cfn_template.source_dir(), "schema", "aws")
UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{Z}": r" \u00a0\u2000-\u200a\u2028\u2029\u3000", r"\p{N}": r"\d"}


def deploy_time(value):
    return cfn_template.is_intrinsic(value) or (isinstance(value, str) and "{{resolve:" in value)


@functools.lru_cache(maxsize=None)
def python_pattern(pattern):
    for ecma, py in UNICODE_CLASSES.items():
        pattern = pattern.replace(ecma, py)
    return re.compile(pattern)


def pattern_keyword(validator, pattern, instance, schema):
    if isinstance(instance, str) and not python_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def pattern_properties_keyword(validator, patterns, instance, schema):
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if python_pattern(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def additional_properties_keyword(validator, additional, instance, schema):
    if not isinstance(instance, dict):
        return
    known = set(schema.get("properties", {}))
    patterns = [python_pattern(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
    if additional is False:
        for k in extras:
            yield jsonschema.ValidationError(f"additional property {k!r} is not allowed")
    elif isinstance(additional, dict):
        for k in extras:
            yield from validator.descend(instance[k], additional, path=k)


def tolerant(keyword_fn):
    """Wraps a keyword so that deploy-time values pass it."""
    def check(validator, value, instance, schema):
        if deploy_time(instance):
            return
        yield from keyword_fn(validator, value, instance, schema)
    return check


def make_validator_class():
    base = jsonschema.Draft7Validator
    keywords = dict(base.VALIDATORS)
    keywords["pattern"] = pattern_keyword
    keywords["patternProperties"] = pattern_properties_keyword
    keywords["additionalProperties"] = additional_properties_keyword
    keywords = {k: tolerant(v) for k, v in keywords.items()}
    return jsonschema.validators.extend(base, keywords)


Validator = make_validator_class()


@functools.lru_cache(maxsize=None)
def validator_for(resource_type):
    name = resource_type.lower().replace("::", "-") + ".json"
    path = os.path.join(SCHEMA_DIR, name)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    schema.pop("$schema", None)
    return Validator(schema)


def json_path(prefix, parts):
    out = prefix
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def validate_template(name, template):
    problems = []
    for rid, resource in template.get("Resources", {}).items():
        rtype = resource.get("Type", "")
        validator = validator_for(rtype)
        if validator is None:
            problems.append(f"{name}: Resources.{rid}: no AWS schema for the type {rtype!r}")
            continue
        for err in sorted(validator.iter_errors(resource.get("Properties", {})), key=lambda e: list(e.absolute_path)):
            where = json_path(f"Resources.{rid}.Properties", err.absolute_path)
            problems.append(f"{name}: {where} ({rtype}): {err.message} [{err.validator}]")
    return problems


def main():
    args = cfn_template.check_arguments()
    templates = cfn_template.templates_of(args)
    problems, resources = [], 0
    for name, template in templates:
        resources += len(template.get("Resources", {}))
        problems += validate_template(name, template)
    return cfn_template.report("validate_aws", problems, args.expect_error,
                               f"{len(templates)} templates, {resources} resources, {len(problems)} violations",
                               what="violations")


if __name__ == "__main__":
    sys.exit(main())
