// Original file: proto/atelier/v1/farm.proto


export interface ListAgentsRequest {
}

export interface ListAgentsRequest__Output {
}
