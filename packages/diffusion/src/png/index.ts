// @atelier/diffusion/png: the PNG codec alone (node:zlib, no onnxruntime), for
// processes that read or write images without rendering them: the
// coordinator reads an image's parameters, makes gallery thumbnails and draws
// sweep grids through it.
export { encodePng, encodePngImage, type PngImage } from "./png-encode.ts";
export { decodePng, type DecodedPng } from "./png-decode.ts";
export { decodeTextChunk, encodeChunk, encodeTextChunk, hasPngSignature, PNG_HEADER_BYTES, PNG_SIGNATURE, readChunks, readPngSize, readPngText, type PngChunk, type ReadPngTextOptions } from "./png-chunks.ts";
export { thumbnailPng } from "./thumbnail.ts";
export { contactSheet, type ContactSheetOptions } from "./contact-sheet.ts";
export { ATELIER_XMP_NAMESPACE, type AiLabel, formatXmp, parseXmp, TRAINED_ALGORITHMIC_MEDIA, XMP_KEYWORD } from "./xmp.ts";
