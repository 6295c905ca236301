/**
 * The two rate limits of the WebSocket gateway, with time passed in (STYLE.md 5):
 * a token bucket per socket for messages, and a fixed one-minute window per IP for
 * new connections.
 */

/** Allows `burst` messages at once and `perSecond` on average. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const WINDOW_MS = 60_000;
/** Above this many tracked IPs, expired windows are swept so the map stays small. */
const SWEEP_ABOVE = 10_000;

/** At most `perMinute` connections from one IP in any one-minute window. */
export class ConnectionRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  allow(ip: string, now: number): boolean {
    if (this.windows.size > SWEEP_ABOVE) this.sweep(now);
    const window = this.windows.get(ip);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      this.windows.set(ip, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.perMinute;
  }

  private sweep(now: number): void {
    for (const [ip, window] of this.windows) {
      if (now - window.start >= WINDOW_MS) this.windows.delete(ip);
    }
  }
}
