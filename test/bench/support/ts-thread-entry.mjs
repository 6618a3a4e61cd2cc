// Entry of the agents' worker thread. The sources are TypeScript, so the
// thread registers tsx's loader itself before loading the real module.
import { register } from "tsx/esm/api";

register();
await import("./agent-thread-main.ts");
