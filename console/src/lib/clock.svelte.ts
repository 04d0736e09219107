// One shared "now" for ages and expired snoozes, ticking every 15 s rather than per component.
class Clock {
  now = $state(Date.now());
  constructor() {
    if (typeof window !== 'undefined') setInterval(() => (this.now = Date.now()), 15_000);
  }
}
export const clock = new Clock();
