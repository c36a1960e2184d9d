// Turns schema failures into problems a person can act on: the field path and what was expected.
import type { z } from "zod";

export interface Problem {
  /** Dotted path such as body.indicators[2].value; empty for the whole message. */
  path: string;
  message: string;
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    "",
  );

const describe = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** `value` is what the field holds: zod leaves it out of issues unless asked to report input. */
function explain(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return value === undefined ? `missing: expected ${issue.expected}` : `expected ${issue.expected}, received ${describe(value)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `unexpected field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}: not part of the contract`;
    case "invalid_union": {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator && options?.length)
        return `expected ${discriminator} to be one of ${options.map((v) => JSON.stringify(v)).join(", ")}`;
      return issue.message;
    }
    default:
      return issue.message;
  }
}

const at = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

/** `input` is what was parsed: a field absent from it is reported as missing. */
export function toProblems(error: z.ZodError, input?: unknown): Problem[] {
  return error.issues.map((issue) => {
    let path = [...issue.path];
    // Unknown keys are reported at their own path, which is where a reader looks.
    if (issue.code === "unrecognized_keys" && issue.keys.length === 1) path = [...path, issue.keys[0]!];
    let message = explain(issue, input === undefined ? issue.input : at(input, issue.path));
    if (input !== undefined && issue.code !== "custom" && path.length && at(input, path) === undefined && !message.startsWith("missing"))
      message = `missing: ${message}`;
    return { path: formatPath(path), message };
  });
}

export const formatProblem = (p: Problem) => `${p.path || "(message)"}: ${p.message}`;
