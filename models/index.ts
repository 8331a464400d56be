/** The inference layer's public surface. */
export type { ModelManifest, ResizeKernel } from './manifest.js';
export { ImageDecodeError, ModelError, DECODE_FAILURES, type DecodeFailure, type ModelErrorCode } from './errors.js';
export {
  MODEL_DIR_ENV,
  defaultManifestsDir,
  listManifests,
  getManifest,
  parseManifest,
  resolveModelDir,
  modelFilePath,
  verifyModelFile,
  howToGet,
  type VerifiedModelFile,
} from './registry.js';
export { decodeImage, readImageFile, sniffFormat, looksTruncated, DEFAULT_LIMITS, type DecodeLimits, type DecodedImage, type RgbImage, type ImageFormat } from './decode.js';
export { findContentBox, detectContentBox, greyThumbnail, scaleBox, cropRgb, DEFAULT_CROP, CROP_THUMB_SIZE, type Box, type CropOptions } from './crop.js';
export {
  planResize,
  resizeForModel,
  preprocess,
  fullRect,
  preprocessKey,
  normalisationTable,
  writeTensor,
  allocateTensor,
  imageElements,
  roundHalfEven,
  type PixelView,
  type ResizePlan,
  type TensorData,
} from './preprocess.js';
export { resampleRgb, coefficients } from './resample.js';
export { ModelSession, physicalCoreCount, type SessionOptions } from './session.js';
export { l2Normalize, l2NormalizeInPlace, dot, concatWeighted } from './vectors.js';
export {
  Embedder,
  VIEWS,
  type View,
  type ModelVectors,
  type ViewVectors,
  type EmbedderOptions,
  type EmbeddedFile,
  type FailedFile,
  type EmbedFileResult,
  type EmbedFilesOptions,
  type EmbedderModel,
  type PreparedBatch,
  type PreparedOk,
} from './embedder.js';
