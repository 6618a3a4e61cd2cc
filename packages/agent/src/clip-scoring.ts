import { basename } from "node:path";
import { ClipScorer, clipScore100, decodePng, encodePng, fidelityOf, PROVENANCE_KEYWORD, rolesSwapped } from "@atelier/diffusion";
import type { ClipResult, RenderJobClip } from "./render-protocol.ts";

// CLIP scoring inside a render worker: the image's similarity to its prompt
// and, for the fidelity check, to its counter-prompts; both written into the
// PNG's JSON metadata (the "atelier" text chunk) and reported with the item.

export class ClipScoring {
  private scorer: Promise<ClipScorer> | undefined;

  constructor(private readonly options: { dir: string; providers: string[]; intraOpThreads: number }) {}

  /** The image with its scores in its metadata, and the scores. */
  async score(png: Uint8Array, prompt: string, check: RenderJobClip): Promise<{ png: Uint8Array; clip: ClipResult }> {
    const scorer = await this.load();
    const image = decodePng(png);
    if (image.channels !== 3) throw new Error(`CLIP scoring takes RGB images; this one has ${image.channels} channels`);
    const counters = check.counterPrompts.length > 0 ? check.counterPrompts : check.fidelity ? [rolesSwapped(prompt)].filter((p) => p !== undefined) : [];
    const [own, ...others] = await scorer.similarities(image.pixels, image.width, image.height, [prompt, ...counters]);
    const clip: ClipResult = { score: own!, counters: counters.map((counter, i) => ({ prompt: counter, score: others[i]! })) };
    const text = { ...image.text };
    const provenance = text[PROVENANCE_KEYWORD] === undefined ? {} : (JSON.parse(text[PROVENANCE_KEYWORD]) as Record<string, unknown>);
    const fidelity = check.fidelity || check.counterPrompts.length > 0 ? fidelityOf(clip.score, clip.counters) : undefined;
    text[PROVENANCE_KEYWORD] = JSON.stringify({
      ...provenance,
      clip: { model: basename(this.options.dir), similarity: clip.score, clipScore: clipScore100(clip.score), ...(fidelity ? { fidelity } : {}) },
    });
    return { png: encodePng(image.pixels, image.width, image.height, text), clip };
  }

  private load(): Promise<ClipScorer> {
    if (!this.scorer) {
      this.scorer = ClipScorer.load(this.options.dir, { providers: this.options.providers, intraOpThreads: this.options.intraOpThreads });
      // A failed load is tried again by the next image (another agent's copy may be whole; this one may have been mid-copy).
      this.scorer.catch(() => (this.scorer = undefined));
    }
    return this.scorer;
  }

  async release(): Promise<void> {
    await (await this.scorer?.catch(() => undefined))?.release();
  }
}
