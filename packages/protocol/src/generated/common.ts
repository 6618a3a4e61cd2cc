import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClipCheck as _atelier_v1_ClipCheck, ClipCheck__Output as _atelier_v1_ClipCheck__Output } from './atelier/v1/ClipCheck.js';
import type { HiresFix as _atelier_v1_HiresFix, HiresFix__Output as _atelier_v1_HiresFix__Output } from './atelier/v1/HiresFix.js';
import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from './atelier/v1/RenderSettings.js';
import type { Upscale as _atelier_v1_Upscale, Upscale__Output as _atelier_v1_Upscale__Output } from './atelier/v1/Upscale.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  atelier: {
    v1: {
      BatchState: EnumTypeDefinition
      ClipCheck: MessageTypeDefinition<_atelier_v1_ClipCheck, _atelier_v1_ClipCheck__Output>
      HiresFix: MessageTypeDefinition<_atelier_v1_HiresFix, _atelier_v1_HiresFix__Output>
      ItemState: EnumTypeDefinition
      RenderSettings: MessageTypeDefinition<_atelier_v1_RenderSettings, _atelier_v1_RenderSettings__Output>
      Upscale: MessageTypeDefinition<_atelier_v1_Upscale, _atelier_v1_Upscale__Output>
    }
  }
}

