// Runs the embedded S3 server (s3rver) as its own process, so that a
// benchmark can measure its cost apart from the coordinator's. Prints the
// endpoint on its first line; exits when its parent closes stdin.
import { startEmbeddedS3 } from "@atelier/coordinator";

const directory = process.argv[2];
if (!directory) throw new Error("usage: s3-child-main.ts <directory>");
const s3 = await startEmbeddedS3({ directory });
process.stdout.write(`${s3.endpoint}\n`);
process.stdin.resume();
process.stdin.on("end", () => void s3.close().finally(() => process.exit(0)));
