export type { ObjectHead, ObjectListing, ObjectStore, PresignPutOptions } from "./object-store.ts";
export { createS3ObjectStore, type S3ObjectStoreOptions } from "./s3-object-store.ts";
export { startEmbeddedS3, type EmbeddedS3, type EmbeddedS3Options } from "./embedded-s3.ts";
export { objectKeyFor } from "./object-key.ts";
