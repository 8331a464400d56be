/** The inference layer's public surface. */
export { validateManifest, parseManifest, type ModelManifest, type ResizeKernel, type ManifestCheck } from './manifest/manifest.js';
export { ModelError, type ModelErrorCode } from './errors.js';
export { ImageDecodeError, DECODE_FAILURES, type DecodeFailure } from './image/decode-error.js';
export { defaultManifestsDir, listManifests, loadCatalog, getManifest, type Catalog, type CatalogEntry, type CatalogOptions } from './manifest/registry.js';
export {
  MODEL_DIR_ENV,
  IMPORTED_MANIFESTS_DIR,
  RECORDS_FILE,
  resolveModelDir,
  importedManifestsDir,
  readRecords,
  expectedSha256,
  type HashRecord,
  type HashSource,
  type RecordsJson,
} from './manifest/model-dir.js';
export { modelFilePath, verifyModelFile, howToGet, type VerifiedModelFile } from './manifest/model-file.js';
export { CACHE_DIR_ENV, cacheDir, cachedSha256, rememberSha256 } from './manifest/sha256-cache.js';
export { decodeImage, sniffFormat, looksTruncated, DEFAULT_LIMITS, type DecodeLimits, type DecodedImage, type ImageFormat } from './image/decode.js';
export { openRegularFile, readImageFile } from './image/image-file.js';
export type { RgbImage, PixelView } from './image/pixels.js';
export { findContentBox, detectContentBox, greyThumbnail, scaleBox, cropRgb, centreBox, ZOOM_SCALE, DEFAULT_CROP, CROP_THUMB_SIZE, type Box, type CropOptions } from './image/crop.js';
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
  type ResizePlan,
  type TensorData,
} from './image/preprocess.js';
export { resampleRgb, coefficients } from './image/resample.js';
export { ModelSession, physicalCoreCount, type SessionOptions } from './onnx/session.js';
export { checkModelAgainstManifest } from './onnx/model-check.js';
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
