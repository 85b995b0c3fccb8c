import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { checkWebhookUrl, parseWebhookUrl } from '../../src/modules/webhooks/address-guard.js';

const secrets = { JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };

describe('webhook endpoint rules by deployment', () => {
  it('requires https in production, and the guard built from that configuration refuses http', () => {
    const { webhooks } = loadConfig({ ...secrets, NODE_ENV: 'production' });
    expect(webhooks).toMatchObject({ allowPrivate: false, requireHttps: true });
    expect(() => parseWebhookUrl('http://hooks.example.com/calento', webhooks)).toThrow('must use https');
    expect(parseWebhookUrl('https://hooks.example.com/calento', webhooks).protocol).toBe('https:');
  });

  it('refuses to start in production with WEBHOOKS_ALLOW_PRIVATE=true, naming the variable', () => {
    const start = () => loadConfig({ ...secrets, NODE_ENV: 'production', WEBHOOKS_ALLOW_PRIVATE: 'true' });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/WEBHOOKS_ALLOW_PRIVATE.*development only/);
  });

  it('takes http and, when allowed for local development, private addresses outside production', async () => {
    for (const NODE_ENV of ['development', 'test']) {
      const { webhooks } = loadConfig({ ...secrets, NODE_ENV, WEBHOOKS_ALLOW_PRIVATE: 'true' });
      expect(webhooks).toMatchObject({ allowPrivate: true, requireHttps: false });
      await expect(checkWebhookUrl('http://127.0.0.1:9/hook', webhooks)).resolves.toMatchObject({ addresses: [{ address: '127.0.0.1', family: 4 }] });
    }
    const { webhooks } = loadConfig({ ...secrets, NODE_ENV: 'development' });
    await expect(checkWebhookUrl('http://127.0.0.1:9/hook', webhooks)).rejects.toThrow();
  });
});
