export { EvoLinkClient, type ClientOptions } from './client';
export {
  PictorError,
  isPictorError,
  errorFromResponse,
  errorFromFailedTask,
  parseErrorBody,
  parseRetryAfter,
  type ErrorKind,
  type PictorErrorInit,
  type ProviderErrorBody,
} from './errors';
export { downloadImage, placeWithoutOverwrite, type DownloadContext } from './download';
export { sniffImageType, readPixelSize, imageInfo, isCompleteImage, looksLikeHtml, type ImageInfo } from './imageInfo';
export {
  checkUrl,
  isLoopbackHost,
  bypassesProxy,
  backoffDelay,
  classifyError,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type Operation,
  type RetryPolicy,
  type LogLevel,
  type Logger,
} from './http';
