// Live updates over server-sent events (graphql-yoga's built-in transport): trustChanged(did) emits the DID's new
// trust report whenever a change is announced, whichever instance on the same database made it.
import { InputError } from '../../errors.ts';
import type { TrustChangeNotice } from '../../webhooks/events.ts';
import { builder } from '../builder.ts';
import { TrustReportRef } from '../types/trust-report.ts';
import { AnyDidSchema } from './trust.ts';

builder.subscriptionFields((t) => ({
  trustChanged: t.field({
    type: TrustReportRef,
    description:
      'Emits the DID\'s trust report each time its trust changes: a tier change, or a score move of at least ' +
      'CREDENCE_WEBHOOK_SCORE_DELTA points since the last announcement (the same events as trust.changed webhooks). ' +
      'Streams are capped per client address and per authenticated DID, and end after CREDENCE_SUBSCRIPTION_IDLE_SECONDS ' +
      'without an event or CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS in all; clients reconnect.',
    args: { did: t.arg.string({ description: 'The DID to follow (any DID method).', required: true, validate: AnyDidSchema }) },
    subscribe: async (_root, { did }, context) => {
      const checked = AnyDidSchema.safeParse(did);
      if (!checked.success) throw new InputError(`did: ${checked.error.issues[0]?.message ?? 'must be a DID'}`, 'did');
      // A token is optional here; one that is sent must hold, and its DID's slots are counted.
      const viewer = await context.viewer();
      const release = context.streams.acquire({ address: context.clientAddress, did: viewer?.did ?? null });
      try {
        const feed = context.services.trustChanges;
        // Listening before the stream opens: every change committed from here on reaches this subscriber.
        await feed.start();
        return context.streams.bound(feed.subscribe(did), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    resolve: (notice: TrustChangeNotice, _args, context) => context.services.trust.report(notice.did, new Date(notice.asOf)),
  }),
}));
