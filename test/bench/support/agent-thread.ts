import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { AgentThreadOptions } from "./agent-thread-main.ts";

export interface AgentThread {
  /** The thread's task id under /proc/<pid>/task. */
  tid: number;
  close(): Promise<void>;
}

/** Starts `options.agents` agents on a worker thread; resolves once every one is welcomed. */
export async function startAgentThread(options: AgentThreadOptions): Promise<AgentThread> {
  const worker = new Worker(new URL("./ts-thread-entry.mjs", import.meta.url), {
    workerData: { ...options, main: new URL("./agent-thread-main.ts", import.meta.url).href },
  });
  const [started] = (await Promise.race([once(worker, "message"), once(worker, "error").then(([error]) => Promise.reject(error))])) as [{ tid: number }];
  let closing: Promise<void> | undefined;
  return {
    tid: started.tid,
    close() {
      closing ??= (async () => {
        worker.postMessage("close");
        await Promise.race([once(worker, "message"), once(worker, "error")]);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
