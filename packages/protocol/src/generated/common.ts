import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from './atelier/v1/RenderSettings.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  atelier: {
    v1: {
      BatchState: EnumTypeDefinition
      ItemState: EnumTypeDefinition
      RenderSettings: MessageTypeDefinition<_atelier_v1_RenderSettings, _atelier_v1_RenderSettings__Output>
    }
  }
}

