// Alerts about alerting itself that fire by design: heartbeats (Watchdog) and inhibitors.

import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import type { FamilyModule } from './types.js';

export const meta: FamilyModule = {
  family: 'meta',
  label: 'Meta alert',
  impact: [0, 'meta alert'],
  alertNames: {
    Watchdog: 'heartbeat',
    DeadMansSwitch: 'heartbeat',
    DeadMansSnitch: 'heartbeat',
    InfoInhibitor: 'inhibitor',
  },
  namePatterns: [{ re: /watchdog|heartbeat|dead.?man/i, sub: 'heartbeat', order: 0 }],
  exprPatterns: [{ re: /\bvector\(1\)\s*$/, sub: 'heartbeat', order: 0 }],
  hypotheses: (ctx) => [
    hypothesis(
      ctx,
      'meta.by_design',
      ctx.family.subReason === 'inhibitor'
        ? 'InfoInhibitor fires by design to suppress info-level alerts'
        : 'Heartbeat alert firing by design: it proves the alerting pipeline works',
      95,
      'This alert is meant to be always on; it needs attention only if it stops arriving (dead man’s switch) or is routed to a human receiver.',
      [EV.alertExpr, EV.amAlerts],
    ),
  ],
};
