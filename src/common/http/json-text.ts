/**
 * A response body that is JSON text already (built by PostgreSQL for the hot list route): the reply
 * serializer installed by setupApp writes `text` as it is instead of JSON.stringify-ing an object.
 * `T` documents the shape the text holds; nothing checks it at run time, the e2e tests compare it with
 * the object path.
 */
export class JsonText<T> {
  declare readonly shape?: T;

  constructor(readonly text: string) {}
}

/** Fastify's reply serializer: JsonText as it is, anything else through JSON.stringify (Fastify's default). */
export function serializeReply(payload: unknown): string {
  return payload instanceof JsonText ? payload.text : JSON.stringify(payload);
}
