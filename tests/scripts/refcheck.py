#!/usr/bin/env python3
"""refcheck.py: reference integrity of a template.

Every `Ref`, `Fn::GetAtt`, `DependsOn` and `${…}` in `Fn::Sub` (string and list forms,
`${!…}` being a literal) names a resource, a parameter, a pseudo-parameter or a variable of
the Sub's own map; `Fn::GetAtt` names a resource and an attribute its AWS schema lists
as read-only or as a property; `Fn::If` and `Condition` name a condition;
every parameter is used; and the resources' dependencies have no cycle.

  refcheck.py --octohac BIN SAMPLE.oha...
  refcheck.py --template F.json [--expect-error TEXT]...   (passes only if every TEXT is
      found among the reported problems)
"""

import functools
import json
import os
import re
import sys

import cfn_template

SUB_VAR = re.compile(r"\$\{([^}]*)\}")


@functools.lru_cache(maxsize=None)
def attributes_of(resource_type):
    """GetAtt attributes: the schema's readOnlyProperties as dotted names, plus its
    top-level properties (some, such as a VPC's CidrBlock, are returned too), or None."""
    path = os.path.join(cfn_template.source_dir(), "schema", "aws",
                        resource_type.lower().replace("::", "-") + ".json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    names = {p[len("/properties/"):].replace("/", ".") for p in schema.get("readOnlyProperties", [])}
    return names | set(schema.get("properties", {}))


class Checker:
    def __init__(self, name, template):
        self.name = name
        self.t = template
        self.resources = template.get("Resources", {})
        self.parameters = template.get("Parameters", {})
        self.conditions = template.get("Conditions", {})
        self.problems = []
        self.used_parameters = set()
        self.edges = {rid: set() for rid in self.resources}

    def problem(self, where, text):
        self.problems.append(f"{self.name}: {where}: {text}")

    def ref(self, where, owner, target, local=()):
        if target in local or target in cfn_template.PSEUDO_PARAMETERS:
            return
        if target in self.parameters:
            self.used_parameters.add(target)
        elif target in self.resources:
            if owner:
                self.edges[owner].add(target)
        else:
            self.problem(where, f"`{target}` is not a resource, parameter or pseudo-parameter")

    def getatt(self, where, owner, resource, attribute):
        if resource not in self.resources:
            self.problem(where, f"GetAtt names `{resource}`, which is not a resource")
            return
        if owner:
            self.edges[owner].add(resource)
        if isinstance(attribute, str):
            known = attributes_of(self.resources[resource].get("Type", ""))
            if known is not None and attribute not in known:
                self.problem(where, f"`{resource}.{attribute}`: `{self.resources[resource].get('Type')}` "
                                    f"has no attribute `{attribute}`")

    def sub(self, where, owner, text, variables):
        local = set(variables)
        for var in SUB_VAR.findall(text):
            if var.startswith("!"):
                continue
            if "." in var and var.split(".", 1)[0] not in local:
                resource, attribute = var.split(".", 1)
                self.getatt(where, owner, resource, attribute)
            else:
                self.ref(where, owner, var, local)
        for k, v in variables.items():
            self.walk(f"{where}.{k}", owner, v)

    def walk(self, where, owner, value):
        if isinstance(value, list):
            for i, v in enumerate(value):
                self.walk(f"{where}[{i}]", owner, v)
            return
        if not isinstance(value, dict):
            return
        if cfn_template.is_intrinsic(value):
            fn, arg = next(iter(value.items()))
            if fn == "Ref":
                self.ref(where, owner, arg)
                return
            if fn == "Fn::GetAtt":
                resource, attribute = arg.split(".", 1) if isinstance(arg, str) else (arg[0], arg[1])
                self.getatt(where, owner, resource, attribute)
                if not isinstance(attribute, str):
                    self.walk(where, owner, attribute)
                return
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                self.sub(where, owner, text, variables)
                return
            if fn == "Fn::If":
                if arg[0] not in self.conditions:
                    self.problem(where, f"Fn::If names `{arg[0]}`, which is not a condition")
                self.walk(where, owner, arg[1:])
                return
        for k, v in value.items():
            self.walk(f"{where}.{k}", owner, v)

    def check(self):
        for rid, r in self.resources.items():
            depends = r.get("DependsOn", [])
            for d in [depends] if isinstance(depends, str) else depends:
                if d not in self.resources:
                    self.problem(f"Resources.{rid}.DependsOn", f"`{d}` is not a resource")
                else:
                    self.edges[rid].add(d)
            if "Condition" in r and r["Condition"] not in self.conditions:
                self.problem(f"Resources.{rid}.Condition", f"`{r['Condition']}` is not a condition")
            for key, value in r.items():
                if key not in ("Type", "DependsOn", "Condition"):
                    self.walk(f"Resources.{rid}.{key}", rid, value)
        for section in ("Conditions", "Outputs", "Rules"):
            self.walk(section, None, self.t.get(section, {}))
        for p in self.parameters:
            if p not in self.used_parameters:
                self.problem(f"Parameters.{p}", "the parameter is never used")
        self.cycles()
        return self.problems

    def cycles(self):
        state = {}

        def visit(node, stack):
            state[node] = "open"
            stack.append(node)
            for nxt in sorted(self.edges[node]):
                if state.get(nxt) == "open":
                    cycle = stack[stack.index(nxt):] + [nxt]
                    self.problem("Resources", "dependency cycle: " + " -> ".join(cycle))
                elif nxt not in state:
                    visit(nxt, stack)
            stack.pop()
            state[node] = "done"

        for rid in sorted(self.edges):
            if rid not in state:
                visit(rid, [])


def main():
    args = cfn_template.check_arguments()
    sys.setrecursionlimit(10000)
    templates = cfn_template.templates_of(args)
    problems = []
    for name, template in templates:
        problems += Checker(name, template).check()
    return cfn_template.report("refcheck", problems, args.expect_error,
                               f"{len(templates)} templates, {len(problems)} problems")


if __name__ == "__main__":
    sys.exit(main())
