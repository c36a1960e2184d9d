// The AsyncAPI document parses cleanly in the official parser and covers every kind and subject.
import { Parser } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { AGENCY_KINDS, MESSAGE_KINDS, PRESENCE_INTERVAL_MS } from "../../shared/contracts/index.ts";
import { asyncApiDocument, withExamples } from "../../shared/contracts/export/asyncapi.ts";
import { examples } from "../support/examples.ts";

describe("AsyncAPI 3.0 export", () => {
  it("parses without errors or warnings in @asyncapi/parser, examples included", async () => {
    const doc = withExamples(asyncApiDocument(), examples);
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join(".")}`);
    expect(serious).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe("3.0.0");
    const messageNames = document!.components().messages().all().map((m) => m.id());
    expect(messageNames.sort()).toEqual([...MESSAGE_KINDS, "clock", "auditHead", "registry"].sort());
    const addresses = document!.channels().all().map((c) => c.address());
    expect(addresses).toEqual(
      expect.arrayContaining([
        "atix.submit.{agency}.{kind}", "atix.deliver.{agency}.{kind}", "atix.deliver.all.{kind}", "atix.outcome.{agency}.{messageId}", "atix.audit.head", "$KV.ATIX_CONFIG.registry",
      ]),
    );
    const submit = document!.operations().all().find((o) => o.id() === "submit")!;
    expect(submit.action()).toBe("send");
    expect(submit.messages().all().length).toBe(AGENCY_KINDS.length);
  });

  it("lists on the broadcast channel only what may go to everyone: never an answer or a hit", () => {
    const doc = asyncApiDocument() as { channels: Record<string, { messages: Record<string, unknown>; parameters: { kind: { enum: string[] } } }> };
    const broadcast = doc.channels.broadcast!;
    expect(Object.keys(broadcast.messages).sort()).toEqual(["alert", "alert-retraction", "alert-update", "rfi"]);
    expect(broadcast.parameters.kind.enum.sort()).toEqual(["alert", "alert-retraction", "alert-update", "rfi"]);
  });

  it("says the presence interval it means, and where the registry and its changes are read", () => {
    const text = JSON.stringify(asyncApiDocument());
    expect(text).toContain(`every ${PRESENCE_INTERVAL_MS / 1000} s while connected`);
    expect(text).not.toMatch(/every minute/);
    expect(text).toContain("$JS.ATIX.API.DIRECT.GET.KV_ATIX_CONFIG.$KV.ATIX_CONFIG.registry");
  });
});
