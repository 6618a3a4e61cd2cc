#!/usr/bin/env node
// The `atelier` command. Atelier's packages ship TypeScript sources; tsx's
// loader runs them without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
