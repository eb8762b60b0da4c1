/**
 * Runs the delivery passes of an outbox one at a time: every `intervalMs` once started, and at once on
 * `kick()` (a new message need not wait for the timer). A kick during a pass runs one more pass right
 * after it, not one per kick, so what arrived mid-pass is tried without piling passes up. Used by the
 * outboxes that deliver to other systems (response webhooks, Shared Signals SETs).
 */
export class DeliveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
  }

  /** No pass starts after this; resolves when the one in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs one pass now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }
}
