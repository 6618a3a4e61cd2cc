import { describe, expect, it } from "vitest";
import { Requirements, unmetRequirements } from "./capacity-check.ts";

const agent = (name: string, models: string[], side: number) => ({ name, status: "online", models, maxWidth: side, maxHeight: side });

describe("unmetRequirements", () => {
  const needs = (...sizes: [string, number, number][]) => {
    const requirements = new Requirements();
    for (const [model, w, h] of sizes) requirements.add(model, w, h);
    return requirements;
  };

  it("is empty when some agent can run every item", () => {
    expect(unmetRequirements(needs(["sd-turbo", 512, 512], ["demo", 1024, 768]), [agent("a", ["sd-turbo"], 512), agent("b", ["demo"], 1024)])).toEqual([]);
  });

  it("names the size and the largest agent when the size is too big", () => {
    expect(unmetRequirements(needs(["sd-turbo", 1024, 1024]), [agent("a", ["sd-turbo"], 768), agent("b", ["sd-turbo"], 512)])).toEqual([
      "no agent allows 1024x1024 with model sd-turbo: the largest allows 768x768",
    ]);
  });

  it("names a missing model and the models there are", () => {
    expect(unmetRequirements(needs(["sdxl", 512, 512], ["sdxl", 256, 256]), [agent("a", ["demo", "sd-turbo"], 2048)])).toEqual([
      'no agent has model "sdxl" (registered agents have: demo, sd-turbo)',
    ]);
  });

  it("says so when no agent registered", () => {
    expect(unmetRequirements(needs(["demo", 64, 64]), [])[0]).toMatch(/no agent has registered/);
  });
});
