// Asks the running services (reference §10): `was` for pools, workers, requests and the event journal,
// `w3svc` for sites. No server for this run directory means the socket is missing or refuses the
// connection at once; the connect itself is bounded, so a runtime verb never hangs.
import {
  ChannelClosedError,
  ChannelTimeoutError,
  connectControlSocket,
  RemoteError,
  socketPath,
  type ControlRequest,
  type ReplyTo,
} from '@poolhost/protocol';
import { Errors } from '../errors.js';

export type ServiceName = 'was' | 'w3svc';

export interface RuntimeClient {
  /** Sends a request; throws AppcmdError (service unavailable, or the service's own error). */
  request<M extends ControlRequest>(service: ServiceName, message: M): Promise<ReplyTo<M>>;
  /** Like request, but undefined when the service cannot be reached (lists then show `state:Unknown`). */
  tryRequest<M extends ControlRequest>(service: ServiceName, message: M): Promise<ReplyTo<M> | undefined>;
}

export interface RuntimeClientOptions {
  runDirectory: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

class Unreachable extends Error {}

export function createRuntimeClient(options: RuntimeClientOptions): RuntimeClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 1_500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const unreachable = new Set<ServiceName>();

  async function send<M extends ControlRequest>(service: ServiceName, message: M): Promise<ReplyTo<M>> {
    if (unreachable.has(service)) throw new Unreachable(service);
    let channel;
    try {
      channel = await connectControlSocket(socketPath(options.runDirectory, service), { peer: service, handlers: {} }, connectTimeoutMs);
    } catch {
      unreachable.add(service);
      throw new Unreachable(service);
    }
    try {
      return await channel.request(message, requestTimeoutMs);
    } catch (error) {
      if (error instanceof ChannelClosedError) throw new Unreachable(service);
      if (error instanceof ChannelTimeoutError) throw Errors.runtimeFailed(error.message);
      if (error instanceof RemoteError) throw Errors.runtimeFailed(error.message);
      throw error;
    } finally {
      channel.close();
    }
  }

  return {
    async request<M extends ControlRequest>(service: ServiceName, message: M): Promise<ReplyTo<M>> {
      try {
        return await send(service, message);
      } catch (error) {
        if (error instanceof Unreachable) throw Errors.serviceUnavailable();
        throw error;
      }
    },
    async tryRequest<M extends ControlRequest>(service: ServiceName, message: M): Promise<ReplyTo<M> | undefined> {
      try {
        return await send(service, message);
      } catch (error) {
        if (error instanceof Unreachable) return undefined;
        throw error;
      }
    },
  };
}
