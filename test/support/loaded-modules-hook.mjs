// Preloaded (node --import) into a process under test: appends the file of
// every module it resolves, ESM and CommonJS, to $LOADED_MODULES_LOG, one a
// line. Test support only; nothing shipped loads it.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";

const log = process.env.LOADED_MODULES_LOG;
if (log) {
  // ESM imports (and CommonJS packages imported from ESM) go through the loader's resolve hook.
  register(new URL("./loaded-modules-loader.mjs", import.meta.url), { data: { log } });
  // require() calls inside CommonJS packages do not; Module._resolveFilename sees them.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (...args) {
    const file = resolveFilename.apply(this, args);
    appendFileSync(log, `${file}\n`);
    return file;
  };
}
