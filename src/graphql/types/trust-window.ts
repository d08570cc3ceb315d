import { builder } from '../builder.ts';

export const TrustWindowEnum = builder.enumType('TrustWindow', {
  description: 'A period of evidence ending at the report\'s asOf.',
  values: {
    D7: { description: 'The last 7 days.' },
    D30: { description: 'The last 30 days.' },
    D90: { description: 'The last 90 days.' },
    LIFETIME: { description: 'All evidence.' },
  } as const,
});
