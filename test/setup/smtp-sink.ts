import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { listenOnOwnPort } from './ports.js';
import { eventually } from './wait.js';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  recipients: string[];
  raw: string;
  parsed: ParsedMail;
  messageId: string;
}

/** How the server answers one message's DATA: accept, refuse with an SMTP code, or never answer. */
export type DataVerdict = { accept: true } | { code: number; message: string } | 'stall';

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 for tests: it records every accepted
 * message parsed with mailparser, and can refuse recipients or messages, hang, or go down and come back
 * on the same port.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Decides each message; accepts everything by default. */
  onMessage: (raw: string, recipients: string[]) => DataVerdict = () => ({ accept: true });
  /** Recipients refused at RCPT TO with this code (e.g. 550 for a mailbox that does not exist). */
  readonly refusedRecipients = new Map<string, { code: number; message: string }>();
  /** Messages whose DATA arrived (accepted, refused or stalled). */
  dataCount = 0;
  private server: SMTPServer | null = null;
  private parse: boolean;

  private constructor(
    private portNumber: number,
    options: { parse?: boolean },
  ) {
    this.parse = options.parse ?? true;
  }

  /** parse: false keeps only counts and Message-IDs (benchmarks). */
  static async start(options: { port?: number; parse?: boolean } = {}): Promise<SmtpSink> {
    const open = async (port: number) => {
      const sink = new SmtpSink(port, options);
      await sink.up();
      return sink;
    };
    // Its own port unless given (ports.ts): nothing else takes it while the sink is down.
    return options.port !== undefined ? open(options.port) : listenOnOwnPort(open);
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.portNumber}`;
  }

  get isUp(): boolean {
    return this.server !== null;
  }

  /** Starts listening (again) on the same port. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusedRecipients.get(address.address.toLowerCase());
        callback(refusal ? smtpError(refusal.code, refusal.message) : null);
      },
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNumber, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    // Clients dropping connections (a killed worker) are not test failures.
    server.on('error', () => undefined);
    this.portNumber = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection: clients get "connection refused" until up(). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.down();
  }

  async waitForCount(count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    await eventually(() => this.received.length >= count, timeoutMs, `${count} messages (got ${this.received.length})`);
    return this.received;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.recipients.includes(address.toLowerCase()));
  }

  private onData(
    stream: NodeJS.ReadableStream,
    session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      this.dataCount += 1;
      const raw = Buffer.concat(chunks).toString('utf8');
      const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
      const verdict = this.onMessage(raw, recipients);
      if (verdict === 'stall') return;
      if (!('accept' in verdict)) return callback(smtpError(verdict.code, verdict.message));
      const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
      if (!this.parse) {
        this.received.push({ recipients, raw: '', parsed: undefined as unknown as ParsedMail, messageId });
        return callback(null);
      }
      simpleParser(raw).then(
        (parsed) => {
          this.received.push({ recipients, raw, parsed, messageId });
          callback(null);
        },
        (error: Error) => callback(error),
      );
    });
  }
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
