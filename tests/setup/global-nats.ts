/**
 * Vitest globalSetup: one private nats-server for the whole run (never the shared one on :4222).
 * Tests get its URL with `inject("natsUrl")` and should use unique subjects/stream names.
 */
import type { TestProject } from "vitest/node";
import { startNatsServer } from "../support/nats-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    natsUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startNatsServer();
  project.provide("natsUrl", server.url);
  return () => server.stop();
}
