import { isIP } from "node:net";
import validator from "validator";
import { z } from "zod";
import { isCalendarDate } from "./scalars.js";

/** A DNS name (single-label names such as "localhost" included) or an IPv4/IPv6 literal. */
export function isHostName(value: string): boolean {
  if (isIP(value) !== 0) return true;
  return value.length <= 253 && validator.isFQDN(value, { require_tld: false, allow_underscores: false, allow_trailing_dot: true, allow_numeric_tld: true });
}

/** A printable name: trimmed, 1 to `max` characters, no control characters. */
export function nameField(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), `${label} must not contain control characters`);
}

/** Optional free text: trimmed, empty becomes null. */
export function optionalText(label: string, max: number) {
  return z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .nullish()
    .transform((value) => (value === undefined ? undefined : value ? value : null));
}

export const calendarDateField = z.string().refine(isCalendarDate, "must be a calendar date written YYYY-MM-DD");

