// Global node ids: base64 of `Type:id` (the Relay convention Pothos uses), except a webhook delivery, whose id is its
// event id (`evt_` and 32 hex digits): already unique across the service, and the id platforms see in webhook bodies
// and pass to redeliverWebhook.
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

export const WEBHOOK_EVENT_ID = /^evt_[0-9a-f]{32}$/;

export function encodeNodeId(typename: string, id: bigint | number | string): string {
  if (typename === 'WebhookDelivery') return String(id);
  return encodeGlobalID(typename, id);
}

/** The type and id a global id names; throws on text that is not a global id. */
export function decodeNodeId(globalID: string): { typename: string; id: string } {
  if (WEBHOOK_EVENT_ID.test(globalID)) return { typename: 'WebhookDelivery', id: globalID };
  return decodeGlobalID(globalID);
}
