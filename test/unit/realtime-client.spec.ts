import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io';
import { RealtimeClient, type Delivery } from '../../src/modules/realtime/realtime-clients.js';

/** A socket that records what is emitted on it: the client's only dependency. */
function recordingSocket(): { socket: Socket; emitted: number[] } {
  const emitted: number[] = [];
  const socket = { emit: (_event: string, message: { seq: number }) => emitted.push(message.seq) } as unknown as Socket;
  return { socket, emitted };
}

const delivery = (pos: number): Delivery => ({
  pos,
  message: { seq: pos * 10, kind: 'event.updated', origin: 'api', data: {} as Delivery['message']['data'] },
});

describe('RealtimeClient: joining the resume and the live stream', () => {
  it('holds live deliveries while resuming and sends only those after the horizon, once', () => {
    const { socket, emitted } = recordingSocket();
    const client = new RealtimeClient(socket, 'user', 1, new Date(Date.now() + 60_000));
    client.deliver(delivery(4)); // the relay, while the resume runs: covered by the resume
    client.deliver(delivery(6)); // after the horizon: held, then sent
    client.send(delivery(3));
    client.send(delivery(5)); // the resume's own reads, up to the horizon
    client.goLive(5);
    expect(emitted).toEqual([30, 50, 60]);
  });

  it('drops what a relay still behind the horizon delivers after the client went live', () => {
    const { socket, emitted } = recordingSocket();
    const client = new RealtimeClient(socket, 'user', 1, new Date(Date.now() + 60_000));
    client.send(delivery(7));
    client.send(delivery(8));
    client.goLive(8);
    // The relay's cursor was at 6 when the resume read up to 8: its next pass hands over 7, 8, 9.
    for (const pos of [7, 8, 9]) client.deliver(delivery(pos));
    client.deliver(delivery(9));
    client.deliver(delivery(10));
    expect(emitted).toEqual([70, 80, 90, 100]);
  });

  it('sends nothing once ended', () => {
    const { socket, emitted } = recordingSocket();
    const client = new RealtimeClient(socket, 'user', 1, new Date(Date.now() + 60_000));
    client.goLive(0);
    client.ended = true;
    client.deliver(delivery(1));
    expect(emitted).toEqual([]);
  });
});
