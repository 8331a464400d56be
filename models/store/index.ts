/** The model store: verified, resumable downloads of model files, imports, verification. */
export {
  ModelStore,
  verifiedModels,
  requireVerifiedModels,
  expectedSha256,
  resolveStoreDir,
  baseUrlsFromEnv,
  mirrorUrl,
  parseManifestJson,
  MODEL_DIR_ENV,
  BASE_URL_ENV,
  type ModelStoreOptions,
  type ModelListing,
  type PullOptions,
  type PullResult,
  type VerifyResult,
  type VerifyStatus,
  type InstalledModel,
  type ModelProblem,
  type ImportOptions,
  type ImportResult,
  type HashSource,
} from './store.js';
export { ModelStoreError, DownloadError, type DownloadAttempt, type ModelStoreErrorCode } from './errors.js';
export { downloadToPart, type DownloadProgress, type DownloadOptions, type DownloadResult } from './download.js';
export { httpGet, type HttpOptions } from './http.js';
export { proxyForUrl, bypassesProxy, isLoopback } from './proxy.js';
export { validateManifest, checkModelAgainstManifest, type ManifestCheck } from './validate.js';
export { loadCatalog, builtinManifestsDir, type Catalog, type CatalogEntry } from './catalog.js';
export { readRecords, RECORDS_FILE, type HashRecord } from './records.js';
