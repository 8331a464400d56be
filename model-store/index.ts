/** The model store: verified, resumable downloads of model files, imports, verification. */
export {
  ModelStore,
  verifiedModels,
  requireVerifiedModels,
  baseUrlsFromEnv,
  mirrorUrl,
  parseManifestJson,
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
} from './store.js';
export { ModelStoreError, DownloadError, type DownloadAttempt, type ModelStoreErrorCode } from './errors.js';
export { downloadToPart, type DownloadProgress, type DownloadOptions, type DownloadResult } from './download.js';
export { httpGet, type HttpOptions } from './http.js';
export { proxyForUrl, bypassesProxy, isLoopback } from './proxy.js';
export { updateRecords } from './records.js';
