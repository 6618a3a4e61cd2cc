import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProtoGrpcType as AgentLinkProto } from "./generated/agent_link.js";
import type { ProtoGrpcType as FarmProto } from "./generated/farm.js";

/** The proto/ folder at the repository root: the wire contract's source of truth. */
export const PROTO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../proto");

// Must match the flags given to proto-loader-gen-types in scripts/generate-types.mjs,
// or the generated types would describe objects of another shape.
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

type Loaded = AgentLinkProto & FarmProto;

let loaded: Loaded | undefined;

function load(): Loaded {
  if (!loaded) {
    const definition = protoLoader.loadSync(["atelier/v1/farm.proto", "atelier/v1/agent_link.proto"], LOADER_OPTIONS);
    loaded = grpc.loadPackageDefinition(definition) as unknown as Loaded;
  }
  return loaded;
}

export function farmService() {
  return load().atelier.v1.Farm;
}

export function agentLinkService() {
  return load().atelier.v1.AgentLink;
}
