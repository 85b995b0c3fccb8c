import helmet from 'helmet';

export type HeaderSet = Readonly<Record<string, string>>;

/** The security headers of every response, for a request that came over plain HTTP and over HTTPS. */
export interface SecurityHeaders {
  http: HeaderSet;
  https: HeaderSet;
}

const directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
};

/**
 * helmet's headers, computed once: none depends on the request except HSTS and upgrade-insecure-requests,
 * which only make sense over HTTPS. Sent over plain HTTP they break a page on a non-localhost HTTP host
 * (the browser rewrites its script and stylesheet URLs to https://, which nothing answers), so the HTTP
 * set leaves both out. The same sets serve the responses written before Fastify routes a request
 * (malformed URLs, oversized headers), which is why they are plain data and not a plugin.
 */
export function buildSecurityHeaders(): SecurityHeaders {
  return {
    http: collect({
      strictTransportSecurity: false,
      contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } },
    }),
    https: collect({ contentSecurityPolicy: { directives } }),
  };
}

function collect(options: Parameters<typeof helmet>[0]): HeaderSet {
  const headers: Record<string, string> = {};
  const sink = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as never, sink as never, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}
