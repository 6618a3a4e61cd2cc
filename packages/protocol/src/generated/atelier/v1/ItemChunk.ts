// Original file: proto/atelier/v1/farm.proto

import type { ItemSpec as _atelier_v1_ItemSpec, ItemSpec__Output as _atelier_v1_ItemSpec__Output } from '../../atelier/v1/ItemSpec.js';

export interface ItemChunk {
  'items'?: (_atelier_v1_ItemSpec)[];
}

export interface ItemChunk__Output {
  'items': (_atelier_v1_ItemSpec__Output)[];
}
