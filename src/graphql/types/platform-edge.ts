import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

/** Shared by every connection of platforms, so clients write one fragment for them. */
export const PlatformEdgeRef = builder.edgeObject({
  type: PlatformRef,
  name: 'PlatformEdge',
  description: 'One platform in a page, with the cursor of its position in the list.',
});
