// The injected clock: services and the request context take the time from it, tests set it.
export type Clock = () => Date;
