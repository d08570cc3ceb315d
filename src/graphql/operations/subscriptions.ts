// Live updates over server-sent events (graphql-yoga's built-in transport): trustChanged(did) emits the DID's new
// trust report whenever a change is announced, whichever instance on the same database made it.
import { InputError, RateLimitError } from '../../errors.ts';
import type { TrustChangeNotice } from '../../webhooks/events.ts';
import { builder } from '../builder.ts';
import { TrustReportRef } from '../types/trust-report.ts';
import { AnyDidSchema } from './trust.ts';

/** Open subscriptions one process serves at most. */
export const MAX_SUBSCRIPTIONS = 1_000;

builder.subscriptionFields((t) => ({
  trustChanged: t.field({
    type: TrustReportRef,
    description:
      'Emits the DID\'s trust report each time its trust changes: a tier change, or a score move of at least ' +
      'CREDENCE_WEBHOOK_SCORE_DELTA points since the last announcement (the same events as trust.changed webhooks).',
    args: { did: t.arg.string({ required: true, validate: AnyDidSchema }) },
    subscribe: async (_root, { did }, context) => {
      const checked = AnyDidSchema.safeParse(did);
      if (!checked.success) throw new InputError(`did: ${checked.error.issues[0]?.message ?? 'must be a DID'}`, 'did');
      const feed = context.services.trustChanges;
      if (feed.size() >= MAX_SUBSCRIPTIONS) throw new RateLimitError('too many open subscriptions; try again later', 30);
      // Listening before the stream opens: every change committed from here on reaches this subscriber.
      await feed.start();
      return feed.subscribe(did);
    },
    resolve: (notice: TrustChangeNotice, _args, context) => context.services.trust.report(notice.did, new Date(notice.asOf)),
  }),
}));
