import { once } from 'node:events';
import WebSocket from 'ws';
import {
  startAgentsPlayground,
  type PlaygroundPeople,
  type RunningPlayground,
} from '../../src/dev/playground/agents-playground.ts';

export interface PlaygroundMessage {
  action: string;
  actionConversationId?: string;
  message: {
    messageId: string;
    text?: string;
    attachments?: { contentType: string; content: unknown }[];
    [key: string]: unknown;
  };
}

/** The Agents Playground driven through its HTTP API, with its conversation stream read. */
export class Playground {
  readonly #running: RunningPlayground;
  #socket: WebSocket | undefined;
  readonly events: PlaygroundMessage[] = [];

  private constructor(running: RunningPlayground) {
    this.#running = running;
  }

  static async start(botEndpoint: string, people?: PlaygroundPeople): Promise<Playground> {
    return new Playground(
      await startAgentsPlayground({ botEndpoint, ...(people === undefined ? {} : { people }) }),
    );
  }

  get url(): string {
    return this.#running.url;
  }

  async json<T>(path: string, init?: { method: string; body: unknown }): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method: init?.method ?? 'GET',
      headers: { 'content-type': 'application/json' },
      ...(init === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Opens the conversation stream: what the bot sends arrives here (there is no HTTP read). */
  async openStream(): Promise<void> {
    const socket = new WebSocket(
      `${this.url.replace('http', 'ws')}/_ws_conversation/v1/conversations/stream`,
    );
    socket.on('message', (data: WebSocket.RawData) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.events.push(JSON.parse(text) as PlaygroundMessage);
    });
    await once(socket, 'open');
    this.#socket = socket;
  }

  /** Waits for a stream event that matches. */
  async next(
    match: (event: PlaygroundMessage) => boolean,
    timeoutMs = 15_000,
  ): Promise<PlaygroundMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`no matching event; saw ${JSON.stringify(this.events).slice(0, 2_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    this.#socket?.close();
    await this.#running.stop();
  }
}
