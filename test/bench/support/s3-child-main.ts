// Runs the embedded S3 server (s3rver) as its own process, so that a
// benchmark can measure its cost apart from the coordinator's. Prints the
// endpoint on its first line; answers each "requests" line on stdin with the
// requests served so far (a JSON line); exits when its parent closes stdin.
// Given a NATS URL and a subject, it publishes its S3 event notifications
// there, as MinIO's NATS target does.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { createInterface } from "node:readline";
import { connectNatsBus, startEmbeddedS3 } from "@atelier/coordinator";

const [directory, natsServers, subject] = process.argv.slice(2);
if (!directory) throw new Error("usage: s3-child-main.ts <directory> [<nats url> <notification subject>]");
const requests = { put: 0, readBack: 0, other: 0 };
// Node's own channel for each request an http server receives: counted without touching the server.
subscribe("http.server.request.start", (message) => {
  const { request } = message as { request: IncomingMessage };
  if (request.method === "PUT") requests.put++;
  // A verifying read: the object's first bytes.
  else if (request.method === "GET" && request.headers.range !== undefined) requests.readBack++;
  else requests.other++;
});
const bus = natsServers && subject ? await connectNatsBus({ servers: natsServers, name: "bench-s3-notices" }) : undefined;
const s3 = await startEmbeddedS3({ directory, ...(bus ? { notify: (payload) => bus.publishForeign(subject!, payload) } : {}) });
process.stdout.write(`${s3.endpoint}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "requests") process.stdout.write(`${JSON.stringify(requests)}\n`);
});
lines.on("close", () => void s3.close().then(() => bus?.close()).finally(() => process.exit(0)));
