// Original file: proto/atelier/v1/common.proto

import type { HiresFix as _atelier_v1_HiresFix, HiresFix__Output as _atelier_v1_HiresFix__Output } from '../../atelier/v1/HiresFix.js';
import type { Upscale as _atelier_v1_Upscale, Upscale__Output as _atelier_v1_Upscale__Output } from '../../atelier/v1/Upscale.js';
import type { ClipCheck as _atelier_v1_ClipCheck, ClipCheck__Output as _atelier_v1_ClipCheck__Output } from '../../atelier/v1/ClipCheck.js';

/**
 * Render settings shared by batch defaults and items. Zero/empty/unset means
 * "inherit": an item inherits from its batch header, a header from the
 * coordinator's defaults (the options from clip_skip on default to off).
 */
export interface RenderSettings {
  'model'?: (string);
  /**
   * The first pass's size; with hires or upscale the image comes out larger.
   */
  'width'?: (number);
  'height'?: (number);
  'steps'?: (number);
  /**
   * 0 (and 1) are real values: no classifier-free guidance (SD-Turbo, LCM).
   * has_guidance says it was set; without it guidance inherits. (A flag
   * rather than proto3 `optional`, which older protoc, Debian's among them,
   * refuses.)
   */
  'guidance'?: (number | string);
  'sampler'?: (string);
  /**
   * A1111's "Clip skip", 1..12; 0 inherits.
   */
  'clipSkip'?: (number);
  /**
   * The generator the seed drives: atelier | torch-cpu | a1111-gpu.
   */
  'seedSource'?: (string);
  /**
   * SDXL two-stage render: a refiner model on the same agent takes over at
   * refiner_start (0 < x < 1) of the schedule.
   */
  'refinerModel'?: (string);
  'refinerStart'?: (number | string);
  'hires'?: (_atelier_v1_HiresFix | null);
  'upscale'?: (_atelier_v1_Upscale | null);
  /**
   * The architecture the model must have on the agent (sd1, sd2, sd2-v,
   * sdxl, sdxl-refiner, lcm, turbo, inpainting), as agents announce it;
   * empty: any.
   */
  'architecture'?: (string);
  'hasGuidance'?: (boolean);
  /**
   * CLIP scoring, the quality gate and the fidelity check; unset: off. An
   * item that sets it replaces its batch's whole.
   */
  'clip'?: (_atelier_v1_ClipCheck | null);
}

/**
 * Render settings shared by batch defaults and items. Zero/empty/unset means
 * "inherit": an item inherits from its batch header, a header from the
 * coordinator's defaults (the options from clip_skip on default to off).
 */
export interface RenderSettings__Output {
  'model': (string);
  /**
   * The first pass's size; with hires or upscale the image comes out larger.
   */
  'width': (number);
  'height': (number);
  'steps': (number);
  /**
   * 0 (and 1) are real values: no classifier-free guidance (SD-Turbo, LCM).
   * has_guidance says it was set; without it guidance inherits. (A flag
   * rather than proto3 `optional`, which older protoc, Debian's among them,
   * refuses.)
   */
  'guidance': (number);
  'sampler': (string);
  /**
   * A1111's "Clip skip", 1..12; 0 inherits.
   */
  'clipSkip': (number);
  /**
   * The generator the seed drives: atelier | torch-cpu | a1111-gpu.
   */
  'seedSource': (string);
  /**
   * SDXL two-stage render: a refiner model on the same agent takes over at
   * refiner_start (0 < x < 1) of the schedule.
   */
  'refinerModel': (string);
  'refinerStart': (number);
  'hires': (_atelier_v1_HiresFix__Output | null);
  'upscale': (_atelier_v1_Upscale__Output | null);
  /**
   * The architecture the model must have on the agent (sd1, sd2, sd2-v,
   * sdxl, sdxl-refiner, lcm, turbo, inpainting), as agents announce it;
   * empty: any.
   */
  'architecture': (string);
  'hasGuidance': (boolean);
  /**
   * CLIP scoring, the quality gate and the fidelity check; unset: off. An
   * item that sets it replaces its batch's whole.
   */
  'clip': (_atelier_v1_ClipCheck__Output | null);
}
