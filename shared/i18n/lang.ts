// The languages ATIX speaks to a room, and the locale each formats numbers and dates with.
export const LANGS = ["en", "ru"] as const;
export type Lang = (typeof LANGS)[number];

/** British English (day-month dates, 24-hour clock) and Russian. */
export const LOCALES: Readonly<Record<Lang, string>> = { en: "en-GB", ru: "ru-RU" };
