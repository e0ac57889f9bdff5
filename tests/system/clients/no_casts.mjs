// Fails (exit 1) when a TypeScript file asserts a type or uses `any`: the typed client must need neither.
// Usage: node no_casts.mjs FILE...; run from a folder whose node_modules holds `typescript`.
import { readFileSync } from "node:fs";
import ts from "typescript";

const found = [];
for (const file of process.argv.slice(2)) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    const what =
      ts.isAsExpression(node) ? "an `as` assertion"
      : ts.isTypeAssertionExpression(node) ? "a `<T>` assertion"
      : ts.isNonNullExpression(node) ? "a non-null assertion `!`"
      : node.kind === ts.SyntaxKind.AnyKeyword ? "the type `any`"
      : null;
    if (what !== null) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}: ${what}: ${node.getText()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (found.length > 0) {
  console.log(found.join("\n"));
  process.exit(1);
}
