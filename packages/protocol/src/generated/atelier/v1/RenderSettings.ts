// Original file: proto/atelier/v1/common.proto


/**
 * Render settings shared by batch defaults and items. Zero/empty means
 * "inherit": an item inherits from its batch header, a header from the
 * coordinator's defaults.
 */
export interface RenderSettings {
  'model'?: (string);
  'width'?: (number);
  'height'?: (number);
  'steps'?: (number);
  'guidance'?: (number | string);
  'sampler'?: (string);
}

/**
 * Render settings shared by batch defaults and items. Zero/empty means
 * "inherit": an item inherits from its batch header, a header from the
 * coordinator's defaults.
 */
export interface RenderSettings__Output {
  'model': (string);
  'width': (number);
  'height': (number);
  'steps': (number);
  'guidance': (number);
  'sampler': (string);
}
