// The guidance-scale embedding that LCM-distilled UNets take as
// `timestep_cond` (diffusers' get_guidance_scale_embedding, from VDM): with
// w = guidance - 1 (the pipeline's "Imagen" CFG convention),
//   f_i = exp(-i · ln(10000) / (half - 1)),  i = 0 .. half-1
//   emb = [sin(1000·w·f_i) .. , cos(1000·w·f_i) ..]  (+ a zero when dim is odd)
// diffusers computes it in float32; each product is rounded to float32 here
// as torch rounds it, so the arguments agree with torch's to the last bit
// where exp does, and sin/cos of arguments up to ~15000 rad agree within
// the float32 rounding of the argument (see goldens/guidance-embedding.json).

export function guidanceScaleEmbedding(guidance: number, embeddingDim: number): Float32Array {
  if (!Number.isInteger(embeddingDim) || embeddingDim < 4) throw new RangeError(`time_cond_proj_dim must be an integer >= 4 (got ${embeddingDim})`);
  const f = Math.fround;
  const w = f(f(guidance - 1) * 1000);
  const half = Math.floor(embeddingDim / 2);
  const step = f(f(Math.log(10000)) / (half - 1));
  const out = new Float32Array(embeddingDim);
  for (let i = 0; i < half; i++) {
    const frequency = f(Math.exp(f(i * -step)));
    const angle = f(w * frequency);
    out[i] = Math.sin(angle);
    out[half + i] = Math.cos(angle);
  }
  return out;
}
