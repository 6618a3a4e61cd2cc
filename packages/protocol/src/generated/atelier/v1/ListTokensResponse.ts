// Original file: proto/atelier/v1/farm.proto

import type { TokenInfo as _atelier_v1_TokenInfo, TokenInfo__Output as _atelier_v1_TokenInfo__Output } from '../../atelier/v1/TokenInfo.js';

export interface ListTokensResponse {
  'tokens'?: (_atelier_v1_TokenInfo)[];
}

export interface ListTokensResponse__Output {
  'tokens': (_atelier_v1_TokenInfo__Output)[];
}
