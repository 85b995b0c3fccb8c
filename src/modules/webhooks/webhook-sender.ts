import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedAddress } from './address-guard.js';

export const RESPONSE_EXCERPT_BYTES = 1024;

export interface WebhookRequest {
  url: URL;
  /** The checked address the connection must use (the guard's answer, pinned). */
  address: CheckedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type WebhookResponse =
  | { kind: 'response'; status: number; excerpt: string; durationMs: number }
  | { kind: 'error'; error: string; durationMs: number };

/**
 * One POST to a receiver: connects to the pinned address (TLS still checks the certificate against the
 * URL's host name), follows no redirect, reads at most the first KiB of the answer, and gives up when the
 * whole exchange takes longer than `timeoutMs`. Never throws: the outcome is data for the delivery log.
 */
export function sendWebhook(req: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [req.address]);
    } else {
      callback(null, req.address.address, req.address.family);
    }
  };
  const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const outgoing = send(req.url, {
      method: 'POST',
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      lookup: pinned,
      agent: false,
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish({ kind: 'error', error: `no answer within ${req.timeoutMs} ms`, durationMs: elapsed() });
    }, req.timeoutMs);
    const onAbort = () => {
      outgoing.destroy();
      finish({ kind: 'error', error: 'the attempt was aborted', durationMs: elapsed() });
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'error', error: describeNetworkError(error), durationMs: elapsed() });
    });
    outgoing.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
        finish({ kind: 'response', status: response.statusCode ?? 0, excerpt, durationMs: elapsed() });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_EXCERPT_BYTES) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    outgoing.end(req.body);
  });
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the receiver';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}
