import { describe, expect, it } from "vitest";
import { Requirements, unmetRequirements } from "./capacity-check.ts";

const agent = (name: string, models: string[], side: number, more: { architectures?: string[]; upscalers?: string[] } = {}) => ({
  name, status: "online", models, maxWidth: side, maxHeight: side, architectures: more.architectures ?? [], upscalers: more.upscalers ?? [],
});

describe("unmetRequirements", () => {
  const needs = (...sizes: [string, number, number][]) => {
    const requirements = new Requirements();
    for (const [model, width, height] of sizes) requirements.add({ model, width, height });
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

  it("names an architecture, a refiner or an upscaler that no agent with the model has", () => {
    const requirements = new Requirements();
    requirements.add({ model: "xl", width: 64, height: 64, architecture: "sdxl" });
    requirements.add({ model: "xl", width: 64, height: 64, refinerModel: "xl-refiner" });
    requirements.add({ model: "xl", width: 64, height: 64, upscale: { model: "esrgan", scale: 4 } });
    requirements.add({ model: "xl", width: 64, height: 64, hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "bicubic" } });
    const agents = [agent("a", ["xl"], 512, { architectures: ["xl@sd1"], upscalers: ["other"] })];
    expect(unmetRequirements(requirements, agents)).toEqual([
      'no agent has model "xl" as architecture sdxl (agents detected it as: sd1)',
      'no agent has both model "xl" and its refiner "xl-refiner": a two-stage render runs both on one agent',
      'no agent with model "xl" has upscaler "esrgan" (registered agents have upscalers: other)',
    ]);
    const capable = [agent("b", ["xl", "xl-refiner"], 512, { architectures: ["xl@sdxl", "xl-refiner@sdxl-refiner"], upscalers: ["esrgan"] })];
    expect(unmetRequirements(requirements, capable)).toEqual([]);
  });

  it("says so when no agent registered", () => {
    expect(unmetRequirements(needs(["demo", 64, 64]), [])[0]).toMatch(/no agent has registered/);
  });
});
