import { builder } from '../builder.ts';
import { PlatformEdgeRef } from './platform-edge.ts';
import { PlatformRef } from './platform.ts';

export const PlatformConnectionRef = builder.connectionObject(
  {
    type: PlatformRef,
    name: 'PlatformConnection',
    description: 'A page of platforms (Relay cursor connection: first/after forward, last/before backward).',
  },
  PlatformEdgeRef,
);
