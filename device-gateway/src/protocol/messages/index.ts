// Every message kind, its type byte, and the dispatch from bytes to typed message and back. Handlers
// downstream switch on `kind` and never see a Buffer. The union is in message.ts, the type bytes and
// directions in kinds.ts, the two dispatches in serialize.ts and parse.ts; each family has its own module.

export { type Direction, directionOf, kindOfType, messageTypeOf } from './kinds.ts';
export type * from './message.ts';
export { parsePayload } from './parse.ts';
export { serializePayload } from './serialize.ts';
