/**
 * Paces frames: `burst` at once, then `perSecond`. The client sets it below the relay's own rate
 * limit (see the welcome's limits), so a long outbox or a big upload never gets it cut off.
 */
export class RateGate {
  private perSecond = 40;
  private burst = 150;
  private tokens = 150;
  private last = Date.now();

  configure(perSecond: number, burst: number): void {
    this.perSecond = Math.max(1, perSecond);
    this.burst = Math.max(1, burst);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)));
    }
  }
}
