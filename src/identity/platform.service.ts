import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PlatformRow } from '../db/schema.ts';
import { ConflictError, InputError, NotFoundError } from '../errors.ts';
import { checkWebhookUrl } from './webhook-destination-policy.ts';
import type { PlatformRepository } from './platform.repository.ts';

const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const RegisterPlatformInputSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100).refine(noControlCharacters, 'name must not contain control characters'),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .max(253)
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'domain must be a host name')
    .nullish(),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'webhookUrl must be an http(s) URL' })
    .max(2048)
    .nullish(),
});

export type RegisterPlatformInput = z.infer<typeof RegisterPlatformInputSchema>;

export const SuspendReasonSchema = z.string().trim().min(1, 'reason must not be empty').max(500);

export interface RegisteredPlatform {
  platform: PlatformRow;
  /** Returned once, at registration; webhooks are signed with it. */
  webhookSecret: string;
}

export interface PlatformServiceOptions {
  /** Lets webhook URLs point at loopback, private and other special-purpose addresses. */
  allowPrivateWebhookAddresses?: boolean;
}

/** `lists` serves the lookups and listings (on the public read handle, which may be a replica); `platforms` the writes. */
export function createPlatformService(platforms: PlatformRepository, options: PlatformServiceOptions = {}, lists: PlatformRepository = platforms) {
  return {
    async register(did: string, input: RegisterPlatformInput, now: Date): Promise<RegisteredPlatform> {
      if (input.webhookUrl && !options.allowPrivateWebhookAddresses) {
        const verdict = checkWebhookUrl(input.webhookUrl);
        if (!verdict.ok) throw new InputError(verdict.reason, 'input.webhookUrl');
      }
      const webhookSecret = `whsec_${randomBytes(32).toString('base64url')}`;
      const platform = await platforms.insert({
        did,
        name: input.name,
        domain: input.domain ?? null,
        webhookUrl: input.webhookUrl ?? null,
        webhookSecret,
        now,
      });
      if (!platform) throw new ConflictError('ALREADY_EXISTS', `${did} is already registered as a platform`);
      return { platform, webhookSecret };
    },

    async approve(did: string, adminDid: string, now: Date): Promise<PlatformRow> {
      const platform = await platforms.setStatus(did, 'APPROVED', adminDid, null, now);
      if (!platform) throw new NotFoundError(`no platform ${did}`);
      return platform;
    },

    async suspend(did: string, reason: string, adminDid: string, now: Date): Promise<PlatformRow> {
      const platform = await platforms.setStatus(did, 'SUSPENDED', adminDid, reason, now);
      if (!platform) throw new NotFoundError(`no platform ${did}`);
      return platform;
    },

    findByDids: lists.findByDids,
    keysetPage: lists.keysetPage,
  };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
