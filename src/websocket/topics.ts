// In-process pub/sub (Bun's and uWebSockets.js's subscribe/publish): topic -> subscribers. Key decision: a published
// message is prepared once (PreparedMessage) and every subscriber writes the same frame bytes.
import { PreparedMessage, type MessageData } from './outgoing.js';

/** Something that receives published messages: a WebSocket's session. */
export interface Subscriber {
  /** The topics this subscriber is in (kept by the subscriber, so leaving all of them needs no search). */
  readonly topics: Set<string>;
  /** Sends a prepared message; the result follows send(): bytes, -1 under backpressure, 0 when dropped. */
  deliver(message: PreparedMessage): number;
}

/** A registry of topics and their subscribers. */
export class Topics {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /** Adds `s` to `topic` (no-op when it is in already). */
  subscribe(topic: string, s: Subscriber): void {
    let set = this.subscribers.get(topic);
    if (set === undefined) this.subscribers.set(topic, (set = new Set()));
    set.add(s);
    s.topics.add(topic);
  }

  /** Removes `s` from `topic`; whether it was in. */
  unsubscribe(topic: string, s: Subscriber): boolean {
    const set = this.subscribers.get(topic);
    if (set === undefined || !set.delete(s)) return false;
    s.topics.delete(topic);
    if (set.size === 0) this.subscribers.delete(topic);
    return true;
  }

  /** Removes `s` from every topic it is in. */
  unsubscribeAll(s: Subscriber): void {
    for (const topic of [...s.topics]) this.unsubscribe(topic, s);
  }

  /** Whether `s` is in `topic`. */
  isSubscribed(topic: string, s: Subscriber): boolean {
    return this.subscribers.get(topic)?.has(s) ?? false;
  }

  /** How many subscribers `topic` has. */
  subscriberCount(topic: string): number {
    return this.subscribers.get(topic)?.size ?? 0;
  }

  /**
   * Sends `data` to every subscriber of `topic` but `except`, framed (and compressed, when asked) once. Returns the
   * payload's byte length when at least one subscriber took it, else 0 (an empty message returns 0 either way, as
   * in Bun).
   */
  publish(topic: string, data: MessageData, compress = false, except: Subscriber | null = null): number {
    const set = this.subscribers.get(topic);
    if (set === undefined) return 0;
    let message: PreparedMessage | null = null;
    let delivered = false;
    for (const s of set) {
      if (s === except) continue;
      message ??= new PreparedMessage(data, compress);
      if (s.deliver(message) !== 0) delivered = true;
    }
    return delivered && message !== null ? message.payload.length : 0;
  }
}

/** The process-wide registry that WebSockets use unless their handler names another. */
export const defaultTopics = new Topics();
