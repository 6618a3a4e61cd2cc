// Original file: proto/atelier/v1/farm.proto


export interface GetVersionRequest {
}

export interface GetVersionRequest__Output {
}
