// ps_syntax.mjs: parses PowerShell scripts with the tree-sitter PowerShell grammar and fails on any
// syntax error (an ERROR or MISSING node), printing the line and column of each one.
// Usage: node tests/scripts/ps_syntax.mjs FILE...   Exit 0 when every file parses, 1 otherwise,
// 2 when the grammar is not installed (run `npm ci` at the top of the tree).
import { readFileSync } from "node:fs";

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
