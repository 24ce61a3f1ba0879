// Streaming decoder: frames may arrive split across chunks or packed several to a chunk.
// Payloads are views into the received chunk (no copy). A body frame (REQUEST_BODY, RESPONSE_BODY,
// UPGRADE_DATA) that straddles chunks is handed on in pieces as its bytes arrive — body bytes are a
// stream, so a piece is as good as the whole frame, and 64 KiB frames read through 64 KiB socket reads
// would otherwise be copied (Buffer.concat) almost every time. Only a frame header or a structured frame
// (heads, control) that straddles chunks is reassembled with a copy.
import { FRAME_HEADER_SIZE, FrameType, MAX_FRAME_PAYLOAD } from './frame-type.js';

export interface FrameHandler {
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
}

export class FrameProtocolError extends Error {
  readonly code = 'DataPlaneProtocolError';
}

function isBodyFrame(type: number): boolean {
  return type === FrameType.RequestBody || type === FrameType.ResponseBody || type === FrameType.UpgradeData;
}

export class FrameDecoder {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes needed before the buffered parts can make progress. */
  private needed = 0;
  /** A body frame being handed on in pieces: its type, stream and the payload bytes still to come. */
  private pieceType = 0;
  private pieceStream = 0;
  private pieceLeft = 0;

  constructor(private readonly handler: FrameHandler, private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
    if (this.pieceLeft > 0) {
      const take = Math.min(this.pieceLeft, chunk.length);
      this.pieceLeft -= take;
      const whole = take === chunk.length;
      this.handler.onFrame(this.pieceType, 0, this.pieceStream, whole ? chunk : chunk.subarray(0, take));
      if (whole) return;
      chunk = chunk.subarray(take);
    }
    if (this.partsLength > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.partsLength < this.needed) return;
      chunk = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
    }
    let offset = 0;
    const length = chunk.length;
    while (true) {
      const remaining = length - offset;
      if (remaining < FRAME_HEADER_SIZE) {
        this.needed = FRAME_HEADER_SIZE;
        break;
      }
      const payloadLength = chunk.readUInt32LE(offset);
      if (payloadLength > this.maxPayload) {
        throw new FrameProtocolError(`data-plane frame of ${payloadLength} bytes exceeds the ${this.maxPayload}-byte limit`);
      }
      const total = FRAME_HEADER_SIZE + payloadLength;
      const type = chunk[offset + 4]!;
      if (remaining < total) {
        if (remaining > FRAME_HEADER_SIZE && isBodyFrame(type)) {
          // The first piece now, the rest as it arrives (above).
          const streamId = chunk.readUInt32LE(offset + 6);
          this.pieceType = type;
          this.pieceStream = streamId;
          this.pieceLeft = total - remaining;
          this.handler.onFrame(type, chunk[offset + 5]!, streamId, chunk.subarray(offset + FRAME_HEADER_SIZE, length));
          return;
        }
        this.needed = total;
        break;
      }
      const flags = chunk[offset + 5]!;
      const streamId = chunk.readUInt32LE(offset + 6);
      const start = offset + FRAME_HEADER_SIZE;
      offset += total;
      this.handler.onFrame(type, flags, streamId, chunk.subarray(start, offset));
    }
    if (offset < length) {
      this.parts.push(offset === 0 ? chunk : chunk.subarray(offset));
      this.partsLength = length - offset;
    }
  }
}
