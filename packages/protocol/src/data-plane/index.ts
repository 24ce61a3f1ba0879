export {
  FRAME_HEADER_SIZE,
  FrameType,
  frameTypeNames,
  RequestFlags,
  ResponseFlags,
  AttachFlags,
  AbortReason,
  INITIAL_STREAM_WINDOW,
  WINDOW_UPDATE_THRESHOLD,
  MAX_DATA_FRAME_PAYLOAD,
  MAX_FRAME_PAYLOAD,
} from './frame-type.js';
export { FrameDecoder, FrameProtocolError, type FrameHandler } from './frame-decoder.js';
export { FrameWriter, type FrameSink } from './frame-writer.js';
export {
  decodeRequestHead,
  decodeResponseHead,
  decodeTrailers,
  decodeAttach,
  decodeRejected,
  decodeAbortReason,
  decodeWindowUpdate,
  encodeClientCertificate,
  type ClientCertificateInfo,
  type RequestHead,
  type ResponseHead,
  type AttachRequest,
} from './head-codec.js';
export {
  KernelCachePolicyType,
  KernelCacheFlags,
  decodeKernelCachePolicy,
  decodeKernelCacheFlags,
  decodeCacheStoreVerdict,
  type KernelCachePolicy,
  type KernelCacheStoreVerdict,
} from './kernel-cache-policy.js';
export { StreamCredit } from './stream-credit.js';
