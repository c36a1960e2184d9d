// NATS errors are told apart by the server's codes and nats.js's classes (shared/nats/errors.ts):
// the codes as nats-server answers them (probed against 2.9), whatever the text says.
import { JetStreamApiError } from "@nats-io/jetstream";
import { NoRespondersError, RequestError } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  isAlreadyExists,
  isConsumerNotFound,
  isExpectationRefused,
  isInvalidStreamConfig,
  isNoMessageFound,
  isNoResponders,
  isStreamNotFound,
  isStreamOrConsumerNotFound,
  isTransient,
  isWrongLastSequence,
} from "../../shared/nats/errors.ts";

const api = (err_code: number, description = "whatever the server says") => new JetStreamApiError({ code: 400, err_code, description });

describe("NATS errors by code", () => {
  it("knows each answer by its code, not by its text", () => {
    expect(isStreamNotFound(api(10059))).toBe(true);
    expect(isStreamNotFound(new Error("stream not found"))).toBe(false);
    expect(isConsumerNotFound(api(10014))).toBe(true);
    expect([api(10059), api(10014)].every(isStreamOrConsumerNotFound)).toBe(true);
    expect(isNoMessageFound(api(10037))).toBe(true);
    expect(isWrongLastSequence(api(10071))).toBe(true);
    expect(isWrongLastSequence(api(10070))).toBe(false);
    expect([api(10071), api(10164), api(10070)].every(isExpectationRefused)).toBe(true);
    expect([api(10058), api(10013), api(10105), api(10148)].every(isAlreadyExists)).toBe(true);
    expect(isAlreadyExists(api(10059))).toBe(false);
    expect(isInvalidStreamConfig(api(10052))).toBe(true);
  });

  it("knows a request nobody answered, directly or as a request's cause", () => {
    const none = new NoRespondersError("$JS.API.DIRECT.GET.X");
    expect(isNoResponders(none)).toBe(true);
    expect(isNoResponders(new RequestError("no responders", { cause: none }))).toBe(true);
    expect(isNoResponders(new RequestError("connection closed"))).toBe(false);
  });

  it("counts a cluster's passing answers as transient, through causes, and a refusal not", () => {
    expect(isTransient(api(10008))).toBe(true);
    expect(isTransient(new Error("write failed", { cause: api(10009) }))).toBe(true);
    expect(isTransient(api(10071))).toBe(false);
  });
});
