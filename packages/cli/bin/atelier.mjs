#!/usr/bin/env node
// The `atelier` command. Atelier's packages ship TypeScript sources; tsx's
// loader runs them without a build step, except `atelier up`: a coordinator
// runs for days, and runs from a bundle of the same sources that is rebuilt
// whenever one of them changes (compiled-entry.mjs says why and how).

// On Node 20 the AWS SDK warns at every start that its releases after
// January 2027 will need Node 22. That is news for whoever upgrades the SDK in
// this repository (the lockfile pins it; package.json's engines says which
// Node Atelier needs), not for someone running `atelier`. This is the SDK's
// documented switch (aws/aws-sdk-js-v3#7983); any other value keeps the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

if (process.argv[2] === "up") {
  const v8 = await import("node:v8");
  // Prisma's query compiler is a WebAssembly module. V8 compiles its hot
  // functions again with TurboFan on background threads, whose working memory
  // (over 40 MB at once, measured with heaptrack) stays in glibc's malloc
  // arenas after it is freed: about 50 MB of an idle coordinator's resident
  // memory. On Postgres, V8's baseline compiler alone (Liftoff) is enough:
  // Prisma serves tokens, agents and audit there, and the hot paths are
  // plain SQL on pg (test/bench/README.md, "Submit and memory"). The embedded
  // database (no DATABASE_URL) is PGlite, Postgres itself compiled to
  // WebAssembly, and keeps TurboFan. Set before anything compiles WebAssembly.
  if (process.env.DATABASE_URL) v8.setFlagsFromString("--liftoff-only");
  // After a full collection V8 lets the old generation grow to between 1.1
  // and 4 times what survived (a factor it picks from its collection and
  // allocation speeds) before it collects again. While a submission streams a
  // million items that headroom fills with garbage, about 20 MB of the
  // coordinator's peak; 1.5 times keeps less of it. It is no cap: the heap
  // still grows with what is live, and a coordinator under load collects more
  // often instead of failing. Dispatch and submit CPU did not measurably change.
  v8.setFlagsFromString("--heap-growing-percent=50");
  const { compiledEntry } = await import("./compiled-entry.mjs");
  // tsx would need the same esbuild and temporary folder, so a failure here is reported, not worked around.
  const main = await compiledEntry(new URL("../src/up-main.ts", import.meta.url)).catch((error) => {
    console.error(`atelier up: cannot bundle the sources to run them: ${error.message}`);
    process.exit(1);
  });
  await import(main);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
