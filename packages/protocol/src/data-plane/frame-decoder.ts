// Streaming decoder: frames may arrive split across chunks or packed several to a chunk.
// Payloads are views into the received chunk (no copy) unless a frame straddles chunks.
import { FRAME_HEADER_SIZE, MAX_FRAME_PAYLOAD } from './frame-type.js';

export interface FrameHandler {
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
}

export class FrameProtocolError extends Error {
  readonly code = 'DataPlaneProtocolError';
}

export class FrameDecoder {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes needed before the buffered parts can make progress. */
  private needed = 0;

  constructor(private readonly handler: FrameHandler, private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
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
      if (remaining < total) {
        this.needed = total;
        break;
      }
      const type = chunk[offset + 4]!;
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
