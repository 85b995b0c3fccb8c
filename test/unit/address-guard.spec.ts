import { describe, expect, it } from '@jest/globals';
import { AddressRefusedError, checkWebhookUrl, isInternalAddress, parseWebhookUrl } from '../../src/modules/webhooks/address-guard.js';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '169.254.0.1', '100.64.0.1', '100.127.255.255', '224.0.0.1', '239.255.255.250',
    '255.255.255.255', '198.18.0.1', '192.0.2.10',
    '::1', '::', 'fd00::1', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', '2002:7f00:1::1', '2001:db8::1',
    // IPv4-compatible (::/96, deprecated), spelled the ways a URL or a resolver may spell it.
    '::7f00:1', '::127.0.0.1', '::a9fe:a9fe', '::a00:1', '0:0:0:0:0:0:c0a8:101', '0:0:0:0:0:ffff:7f00:1',
    // Local-use NAT64 (RFC 8215), even with a public IPv4 inside: the translator is in this network.
    '64:ff9b:1::808:808', '64:ff9b:1:abcd::1',
  ])('refuses %s', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::6810:84e5', '::ffff:8.8.8.8', '::808:808'])('accepts %s', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });

  it('refuses what is not an address', () => {
    expect(isInternalAddress('example.com')).toBe(true);
  });
});

describe('checkWebhookUrl', () => {
  const strict = { allowPrivate: false, requireHttps: false };
  const publicResolver = async () => [{ address: '93.184.215.14', family: 4 as const }];

  it('requires https where configured, and refuses credentials, fragments and other schemes', () => {
    expect(() => parseWebhookUrl('http://example.com/x', { requireHttps: true })).toThrow('must use https');
    expect(parseWebhookUrl('https://example.com/x', { requireHttps: true }).hostname).toBe('example.com');
    expect(() => parseWebhookUrl('https://a:b@example.com/', { requireHttps: false })).toThrow(AddressRefusedError);
    expect(() => parseWebhookUrl('https://example.com/#x', { requireHttps: false })).toThrow(/fragment/);
    expect(() => parseWebhookUrl('file:///etc/passwd', { requireHttps: false })).toThrow(/http/);
    expect(() => parseWebhookUrl('/relative', { requireHttps: false })).toThrow(/absolute/);
  });

  it('refuses a name that resolves to an internal address, even when another of its addresses is public', async () => {
    const mixed = async () => [
      { address: '93.184.215.14', family: 4 as const },
      { address: '10.0.0.5', family: 4 as const },
    ];
    await expect(checkWebhookUrl('https://rebind.example/x', strict, mixed)).rejects.toThrow(/"rebind.example" \(10.0.0.5\)/);
    await expect(checkWebhookUrl('https://ok.example/x', strict, publicResolver)).resolves.toMatchObject({
      addresses: [{ address: '93.184.215.14', family: 4 }],
    });
  });

  it('refuses a name that does not resolve', async () => {
    const nothing = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(checkWebhookUrl('https://metadata.google.internal/x', strict, nothing)).rejects.toThrow(/could not be resolved/);
  });

  it('normalizes numeric hosts before checking them', async () => {
    for (const url of ['http://2130706433/', 'http://0x7f.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://017700000001/']) {
      await expect(checkWebhookUrl(url, strict, publicResolver)).rejects.toThrow(AddressRefusedError);
    }
  });

  it('lets private addresses through only when allowed', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', { allowPrivate: true, requireHttps: false })).resolves.toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
  });
});
