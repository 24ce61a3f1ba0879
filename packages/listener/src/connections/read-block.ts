/** Why reading a client connection (or HTTP/2 stream) is stopped; reading resumes when no reason is left. */
export const ReadBlock = {
  /** Too many pipelined requests are held (request-intake.ts). */
  Pipeline: 1,
  /** The request body's stream window towards the worker is used up. */
  BodyWindow: 2,
  /** A queued request's body is buffered up to its limit until a worker takes the request. */
  QueuedBody: 4,
} as const;
