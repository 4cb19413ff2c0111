/** A cross-field check: returns one line per problem, naming the variables, values and what to change. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Rule = (config: any) => string[];
