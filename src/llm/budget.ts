// The daily LLM budget (LLM_DAILY_BUDGET_USD, per UTC day). Before a call Tarka asks whether the
// budget allows one; past it, the LLM part is skipped with TARKA_LLM_BUDGET_EXCEEDED and the case
// says so, the deterministic report being all there is until midnight UTC. Spend of a call whose
// cost is unknown cannot be counted: the note on the event says the figure is a lower bound.

export interface SpendSource {
  /** USD spent on LLM calls on this UTC day (YYYY-MM-DD), as far as known. */
  spentOn(day: string): Promise<number>;
}

export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Spend counted in this process (seeded from a shared source when there is one). */
export class DailyBudget {
  private day = '';
  private local = 0;

  constructor(
    readonly limitUsd: number | null,
    private readonly shared?: SpendSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Null when a call may go ahead; otherwise the note to show. */
  async refusal(): Promise<string | null> {
    if (this.limitUsd === null) return null;
    const spent = await this.spent();
    if (spent < this.limitUsd) return null;
    return `daily LLM budget of $${this.limitUsd.toFixed(2)} spent ($${spent.toFixed(2)} today, UTC): deterministic report only until midnight UTC`;
  }

  record(costUsd: number | null): void {
    this.roll();
    if (costUsd !== null) this.local += costUsd;
  }

  async spent(): Promise<number> {
    this.roll();
    const shared = this.shared ? await this.shared.spentOn(this.day).catch(() => 0) : 0;
    return Math.max(shared, this.local);
  }

  private roll(): void {
    const day = utcDay(this.now());
    if (day !== this.day) {
      this.day = day;
      this.local = 0;
    }
  }
}
