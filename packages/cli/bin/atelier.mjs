#!/usr/bin/env node
// The `atelier` command. Atelier's packages ship TypeScript sources; tsx's
// loader runs them without a build step.
import { register } from "tsx/esm/api";

// On Node 20 the AWS SDK warns at every start that its releases after
// January 2027 will need Node 22. That is news for whoever upgrades the SDK in
// this repository (the lockfile pins it; package.json's engines says which
// Node Atelier needs), not for someone running `atelier`. This is the SDK's
// documented switch (aws/aws-sdk-js-v3#7983); any other value keeps the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
await import("../src/main.ts");
