// ps_syntax.mjs: parses PowerShell scripts with the tree-sitter PowerShell grammar and fails on any
// syntax error (an ERROR or MISSING node), printing the line and column of each one.
// Usage: node tests/scripts/ps_syntax.mjs FILE...   Exit 0 when every file parses, 1 otherwise,
// 2 when the grammar is not installed (run `npm ci` at the top of the tree).
//        node tests/scripts/ps_syntax.mjs --extract TEMPLATE.json OUTDIR NAME
//        node tests/scripts/ps_syntax.mjs --extract-operations OPERATIONS.json OUTDIR NAME
// writes what a JSON template built by octohac gives the nodes: the NodeBootstrap script
// (OUTDIR/NAME.bootstrap.ps1) and each node's UserData (OUTDIR/NAME.nodeI.ps1), with Fn::Sub
// done as CloudFormation does it and sample values for the intrinsic functions.
import { readFileSync, writeFileSync } from "node:fs";

// Fn::Sub as CloudFormation does it: `${Name}` from MAP, a pseudo parameter, a template parameter
// or a resource (`${LogicalId}` is its Ref, `${LogicalId.Attribute}` its GetAtt); an intrinsic
// function or a reference gets a sample value. `${!Name}` stays PowerShell's `${Name}`. A name
// nobody supplies is an error.
function substitute(text, map, where, template = {}) {
  const pseudo = { "AWS::Region": "us-east-1", "AWS::StackName": "octopus-stack", "AWS::Partition": "aws" };
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  return text.replace(/\$\{(!?)([^}]*)\}/g, (whole, bang, name) => {
    if (bang) return "${" + name + "}";
    if (name in pseudo) return pseudo[name];
    if (name in map) return typeof map[name] === "string" ? map[name] : `sample-${name}`;
    const [id, attribute] = name.split(/\.(.*)/s);
    if (id in resources || (!attribute && id in parameters)) return `sample-${name}`;
    throw new Error(`${where}: \`\${${name}}\` is not supplied`);
  });
}

function extract(templatePath, outDir, name) {
  const template = JSON.parse(readFileSync(templatePath, "utf8"));
  const resources = template.Resources ?? {};
  const sub = resources.NodeBootstrap?.Metadata?.["AWS::CloudFormation::Init"]?.config?.files?.["C:\\octohac\\bootstrap.ps1"]?.content?.["Fn::Sub"];
  if (!Array.isArray(sub)) throw new Error(`${templatePath}: NodeBootstrap has no Fn::Sub bootstrap script`);
  writeFileSync(`${outDir}/${name}.bootstrap.ps1`, substitute(sub[0], sub[1], "NodeBootstrap", template));
  let nodes = 0;
  for (const [id, resource] of Object.entries(resources)) {
    const m = /^Node([0-9]+)$/.exec(id);
    if (!m || resource.Type !== "AWS::EC2::Instance") continue;
    const userData = resource.Properties?.UserData?.["Fn::Base64"]?.["Fn::Sub"];
    if (typeof userData !== "string") throw new Error(`${id}: UserData is not Fn::Base64 of an Fn::Sub string`);
    const text = substitute(userData, {}, id);
    const body = /^<powershell>\n([\s\S]*)<\/powershell>\n?$/.exec(text);
    if (!body) throw new Error(`${id}: UserData is not one <powershell> block`);
    writeFileSync(`${outDir}/${name}.node${m[1]}.ps1`, body[1]);
    nodes++;
  }
  if (nodes < 2) throw new Error(`${templatePath}: fewer than two nodes`);
  console.log(`extracted the bootstrap and ${nodes} loaders of ${templatePath}`);
}

// The operations template's (`build --operations`): the script of NodeCommand, with Fn::Sub done
// and each SSM parameter `{{ Name }}` replaced by a sample value, as Run Command does.
function extractOperations(templatePath, outDir, name) {
  const template = JSON.parse(readFileSync(templatePath, "utf8"));
  const run = template.Resources?.NodeCommand?.Properties?.Content?.mainSteps?.[0]?.inputs?.runCommand;
  if (!Array.isArray(run) || run.length === 0) throw new Error(`${templatePath}: NodeCommand has no runCommand`);
  const text = run.map((line, i) => {
    const sub = line?.["Fn::Sub"];
    const raw = typeof sub === "string" ? substitute(sub, {}, `NodeCommand[${i}]`, template) : line;
    if (typeof raw !== "string") throw new Error(`${templatePath}: NodeCommand line ${i} is neither text nor Fn::Sub`);
    return raw;
  }).join("\n").replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, param) => `sample-${param}`);
  writeFileSync(`${outDir}/${name}.node-command.ps1`, text);
  console.log(`extracted the node command of ${templatePath}`);
}

if (process.argv[2] === "--extract" || process.argv[2] === "--extract-operations") {
  try {
    (process.argv[2] === "--extract" ? extract : extractOperations)(process.argv[3], process.argv[4], process.argv[5]);
  } catch (err) {
    console.error(`ps_syntax: ${err.message}`);
    process.exit(1);
  }
  process.exit(0);
}

let Parser, PowerShell;
try {
  Parser = (await import("tree-sitter")).default;
  PowerShell = (await import("tree-sitter-powershell/bindings/node/index.js")).default;
} catch (err) {
  console.error(`ps_syntax: the tree-sitter PowerShell grammar is not installed (npm ci): ${err.message}`);
  process.exit(2);
}

const parser = new Parser();
parser.setLanguage(PowerShell);

// Every ERROR or MISSING node below NODE, outermost first.
function problems(node, found) {
  if (node.isMissing) {
    found.push({ node, what: `missing ${node.type}` });
  } else if (node.type === "ERROR") {
    found.push({ node, what: "syntax error" });
  }
  if (node.hasError || node.isMissing) {
    for (const child of node.children) problems(child, found);
  }
  return found;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node ps_syntax.mjs FILE...");
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  // The default 32 KiB input buffer is too small for the bootstrap; give the whole text at once.
  const tree = parser.parse(text, null, { bufferSize: text.length * 2 + 1024 });
  const found = problems(tree.rootNode, []);
  if (found.length === 0) {
    console.log(`ok ${file}`);
    continue;
  }
  failed++;
  for (const { node, what } of found.slice(0, 10)) {
    const line = node.startPosition.row + 1;
    const column = node.startPosition.column + 1;
    const source = text.split("\n")[node.startPosition.row] ?? "";
    console.log(`${file}:${line}:${column}: ${what}\n    ${source.trim()}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
