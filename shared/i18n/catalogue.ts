// The catalogue's type: English (catalogue-en.ts) defines the keys and the placeholders; every
// other language must give the same keys (a missing or extra key fails to compile) and strings
// or plural forms for each. tests/unit/i18n.test.ts checks the placeholders match.
import type { en } from "./catalogue-en.ts";
import type { PluralEntry } from "./interpolate.js";

export type Key = keyof typeof en;
type Widen<E> = E extends string ? string : PluralEntry;
export type Catalogue = { readonly [K in Key]: Widen<(typeof en)[K]> };
/** Another language's part of the catalogue for an English part `E` (en-report.ts, en-cli.ts …): the same keys. */
export type PartOf<E> = { readonly [K in keyof E & Key]: Catalogue[K] };

type Names<S> = S extends `${string}{${infer P}}${infer R}` ? P | Names<R> : never;
type EntryNames<E> = E extends string ? Names<E> : E extends { one: infer O; other: infer X } ? Names<O> | Names<X> | "n" : never;
type VarsOf<E> = { [P in EntryNames<E>]: P extends "n" ? number : string | number };
/** The values a key needs: none, or an object naming each placeholder ("n" a number, for plurals). */
export type Vars<K extends Key> = [EntryNames<(typeof en)[K]>] extends [never] ? [] : [VarsOf<(typeof en)[K]>];
