import { GaussianStream } from "../noise/gaussian-noise.ts";
import type { GraphBuilder } from "../onnx/graph-builder.ts";

// The layers of a Stable Diffusion UNet written with the operators its ONNX
// export uses (GroupNorm as Reshape + InstanceNormalization, attention as
// MatMul + Softmax, GELU through Erf), with seeded random weights scaled
// 1/sqrt(fan-in) so activations stay near unit size.

export class UnetLayers {
  private readonly weights: GaussianStream;

  constructor(
    private readonly g: GraphBuilder,
    seed: number,
  ) {
    this.weights = new GaussianStream(seed);
  }

  private random(dims: number[], std: number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    return this.g.constant(this.weights.next(count).map((v) => v * std), dims);
  }

  private filled(count: number, value: number, dims: number[] = [count]): string {
    return this.g.constant(new Array<number>(count).fill(value), dims);
  }

  conv(x: string, inChannels: number, outChannels: number, kernel: number, stride = 1): string {
    const pad = Math.floor(kernel / 2);
    const weight = this.random([outChannels, inChannels, kernel, kernel], 1 / Math.sqrt(inChannels * kernel * kernel));
    const bias = this.random([outChannels], 0.02);
    return this.g.op("Conv", [x, weight, bias], { pads: { ints: [pad, pad, pad, pad] }, strides: { ints: [stride, stride] } });
  }

  /** torch.nn.GroupNorm as PyTorch exports it: normalise [B, groups, rest], then a per-channel affine. */
  groupNorm(x: string, channels: number, groups = 8): string {
    const g = this.g;
    const grouped = g.op("Reshape", [x, g.ints([0, groups, -1])]);
    const normalised = g.op("InstanceNormalization", [grouped, this.filled(groups, 1), this.filled(groups, 0)], { epsilon: { float: 1e-5 } });
    const restored = g.op("Reshape", [normalised, g.op("Shape", [x])]);
    return g.op("Add", [g.op("Mul", [restored, this.filled(channels, 1, [1, channels, 1, 1])]), this.filled(channels, 0, [1, channels, 1, 1])]);
  }

  silu(x: string): string {
    return this.g.op("Mul", [x, this.g.op("Sigmoid", [x])]);
  }

  linear(x: string, inFeatures: number, outFeatures: number, bias = true): string {
    const product = this.g.op("MatMul", [x, this.random([inFeatures, outFeatures], 1 / Math.sqrt(inFeatures))]);
    return bias ? this.g.op("Add", [product, this.random([outFeatures], 0.02)]) : product;
  }

  layerNorm(x: string, features: number): string {
    return this.g.op("LayerNormalization", [x, this.filled(features, 1), this.filled(features, 0)], { axis: { int: -1 }, epsilon: { float: 1e-5 } });
  }

  /** diffusers' Timesteps (flip_sin_to_cos): values [N] -> [N, channels] of cos then sin. */
  sinusoids(values: string, channels: number): string {
    const g = this.g;
    const half = channels / 2;
    const frequencies = g.constant(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)), [1, half]);
    const angles = g.op("Mul", [g.op("Unsqueeze", [g.castToFloat(values), g.ints([1])]), frequencies]);
    return g.op("Concat", [g.op("Cos", [angles]), g.op("Sin", [angles])], { axis: { int: 1 } });
  }

  /** Sinusoidal timestep embedding and its two-layer MLP. */
  timeEmbedding(timestep: string, channels: number, embedding: number): string {
    return this.linear(this.silu(this.linear(this.sinusoids(timestep, channels), channels, embedding)), embedding, embedding);
  }

  /** ResnetBlock2D: two GroupNorm-SiLU-Conv stages, the time embedding added in between, a 1x1 skip when channels change. */
  resBlock(x: string, inChannels: number, outChannels: number, timeEmbedding: string, embedding: number): string {
    const g = this.g;
    let h = this.conv(this.silu(this.groupNorm(x, inChannels)), inChannels, outChannels, 3);
    const time = g.op("Reshape", [this.linear(this.silu(timeEmbedding), embedding, outChannels), g.ints([0, outChannels, 1, 1])]);
    h = g.op("Add", [h, time]);
    h = this.conv(this.silu(this.groupNorm(h, outChannels)), outChannels, outChannels, 3);
    const skip = inChannels === outChannels ? x : this.conv(x, inChannels, outChannels, 1);
    return g.op("Add", [skip, h]);
  }

  /** Multi-head attention of `query` [B,N,C] over `context` [B,M,contextWidth]. */
  attention(query: string, context: string, channels: number, contextWidth: number, heads: number): string {
    const g = this.g;
    const headWidth = channels / heads;
    const split = (x: string, perm: number[]) => g.op("Transpose", [g.op("Reshape", [x, g.ints([0, -1, heads, headWidth])])], { perm: { ints: perm } });
    const q = split(this.linear(query, channels, channels, false), [0, 2, 1, 3]);
    const k = split(this.linear(context, contextWidth, channels, false), [0, 2, 3, 1]);
    const v = split(this.linear(context, contextWidth, channels, false), [0, 2, 1, 3]);
    const scores = g.op("Mul", [g.op("MatMul", [q, k]), g.scalar(1 / Math.sqrt(headWidth))]);
    const mixed = g.op("MatMul", [g.op("Softmax", [scores], { axis: { int: -1 } }), v]);
    const merged = g.op("Reshape", [g.op("Transpose", [mixed], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, -1, channels])]);
    return this.linear(merged, channels, channels);
  }

  /** GEGLU feed-forward: x·GELU(gate) between two projections. */
  feedForward(x: string, channels: number): string {
    const g = this.g;
    const inner = 4 * channels;
    const projected = this.linear(x, channels, 2 * inner);
    const value = g.op("Slice", [projected, g.ints([0]), g.ints([inner]), g.ints([-1])]);
    const gate = g.op("Slice", [projected, g.ints([inner]), g.ints([2 * inner]), g.ints([-1])]);
    const gelu = g.op("Mul", [g.op("Mul", [gate, g.scalar(0.5)]), g.op("Add", [g.scalar(1), g.op("Erf", [g.op("Mul", [gate, g.scalar(Math.SQRT1_2)])])])]);
    return this.linear(g.op("Mul", [value, gelu]), inner, channels);
  }

  /** Transformer2DModel: project in, self-attention, cross-attention on the text, feed-forward, project out. */
  transformer(x: string, channels: number, context: string, contextWidth: number, heads: number): string {
    const g = this.g;
    const projected = this.conv(this.groupNorm(x, channels), channels, channels, 1);
    let tokens = g.op("Transpose", [g.op("Reshape", [projected, g.ints([0, channels, -1])])], { perm: { ints: [0, 2, 1] } });
    const normed = () => this.layerNorm(tokens, channels);
    tokens = g.op("Add", [tokens, this.attention(normed(), normed(), channels, channels, heads)]);
    tokens = g.op("Add", [tokens, this.attention(normed(), context, channels, contextWidth, heads)]);
    tokens = g.op("Add", [tokens, this.feedForward(normed(), channels)]);
    const image = g.op("Reshape", [g.op("Transpose", [tokens], { perm: { ints: [0, 2, 1] } }), g.op("Shape", [x])]);
    return g.op("Add", [x, this.conv(image, channels, channels, 1)]);
  }

  downsample(x: string, channels: number): string {
    return this.conv(x, channels, channels, 3, 2);
  }

  upsample(x: string, channels: number): string {
    const doubled = this.g.op("Resize", [x, "", this.g.constant([1, 1, 2, 2], [4], "float32")], { mode: { string: "nearest" } });
    return this.conv(doubled, channels, channels, 3);
  }
}
