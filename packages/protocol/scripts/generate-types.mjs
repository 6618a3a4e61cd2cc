// Regenerates src/generated/ from proto/ with proto-loader-gen-types.
// `--check` regenerates into a temporary folder and fails if the committed
// types differ from their source: CI runs it so the two never drift.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protoRoot = resolve(packageDir, "../../proto");
const committed = join(packageDir, "src/generated");
const check = process.argv.includes("--check");
const outDir = check ? mkdtempSync(join(tmpdir(), "atelier-proto-")) : committed;

const protoFiles = readdirSync(join(protoRoot, "atelier/v1"))
  .filter((f) => f.endsWith(".proto"))
  .map((f) => `atelier/v1/${f}`);
if (!check) rmSync(committed, { recursive: true, force: true });
const result = spawnSync(
  "npx",
  ["--no-install", "proto-loader-gen-types", "--longs=Number", "--enums=String", "--defaults", "--oneofs",
   "--grpcLib=@grpc/grpc-js", "--includeComments", "-I", protoRoot, "-O", outDir, ...protoFiles],
  { cwd: packageDir, stdio: "inherit" },
);
if (result.status !== 0) process.exit(result.status ?? 1);
normalise(outDir);

// The generator writes absolute proto paths into comments and extensionless
// imports; make the output independent of the checkout's location and give
// the imports the extensions that ESM resolution (NodeNext) requires.
function normalise(dir) {
  for (const file of readdirSync(dir, { recursive: true })) {
    const path = join(dir, file);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replaceAll(`${protoRoot}/`, "proto/").replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'"));
  }
}

if (check) {
  const list = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile()).sort();
  const fresh = list(outDir);
  const old = list(committed);
  const drift = fresh.filter((f) => !old.includes(f) || readFileSync(join(outDir, f), "utf8") !== readFileSync(join(committed, f), "utf8"))
    .concat(old.filter((f) => !fresh.includes(f)));
  rmSync(outDir, { recursive: true, force: true });
  if (drift.length > 0) {
    console.error(`generated protocol types drifted from proto/: ${drift.map((f) => relative(packageDir, join(committed, f))).join(", ")}\nrun: npm run generate -w @atelier/protocol`);
    process.exit(1);
  }
  console.log("protocol types match proto/");
}
