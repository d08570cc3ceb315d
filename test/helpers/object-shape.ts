// Whether V8 holds an object's properties in a fixed shape ("fast") or as a hash table ("dictionary"). The engine
// reads the fields of every held row on every report; a dictionary row turns each read into a hash lookup.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--allow-natives-syntax');

/** V8's own answer (%HasFastProperties), compiled after the flag above allows the intrinsic. */
export const hasFastProperties = new Function('value', 'return %HasFastProperties(value)') as (value: object) => boolean;
