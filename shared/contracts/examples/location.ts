import { fileURLToPath } from "node:url";

/** The folder of the shipped example messages, one `<kind>.json` per kind. */
export const examplesDir = fileURLToPath(new URL(".", import.meta.url));
