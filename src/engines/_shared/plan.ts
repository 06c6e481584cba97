/** The plan of an engine whose hardware follows from the IR node alone. */
export type NoPlan = Readonly<Record<never, never>>;
export const NO_PLAN: NoPlan = Object.freeze({});
