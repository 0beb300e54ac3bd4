import { createParser, type EventSourceMessage } from "eventsource-parser";
import { z } from "zod";
import { UnavailableError } from "../lib/errors";
import type { TokenUsage } from "./provider-types";

/** A Server-Sent Events frame larger than this is refused (a broken or hostile upstream). */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Server-Sent Events of a byte stream. Frames may be split anywhere across chunks (inside a line,
 * inside a UTF-8 character); the parser buffers until a frame is complete.
 */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage, void, void> {
  const ready: EventSourceMessage[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    onEvent: (event) => ready.push(event),
    onError: (error) => {
      if (error.type === "max-buffer-size-exceeded") failure = malformed();
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (failure) throw failure;
    while (ready.length > 0) yield ready.shift() as EventSourceMessage;
  }
  // A final frame without its blank line still counts (browsers drop it; some servers rely on it).
  parser.feed(`${decoder.decode()}\n\n`);
  while (ready.length > 0) yield ready.shift() as EventSourceMessage;
}

const usageSchema = z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).loose();

const chunkSchema = z
  .object({
    model: z.string().optional(),
    choices: z
      .array(
        z
          .object({
            delta: z.object({ content: z.string().nullish() }).loose().nullish(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .default([]),
    usage: usageSchema.nullish(),
  })
  .loose();

const errorFrameSchema = z.object({ error: z.unknown() }).loose();

/** What a finished chat stream reported besides its text. */
export type ChatStreamSummary = {
  model: string | undefined;
  usage: TokenUsage | undefined;
  finishReason: string | undefined;
};

/**
 * Reads an OpenAI-style chat completion stream: yields each content delta and returns the model,
 * usage (when the server sent it) and finish reason. A stream must end with `[DONE]` or a finish
 * reason; one that just stops was cut and fails, as does an error frame or an unparsable frame.
 */
export async function* chatCompletionDeltas(events: AsyncIterable<EventSourceMessage>): AsyncGenerator<string, ChatStreamSummary, void> {
  const summary: ChatStreamSummary = { model: undefined, usage: undefined, finishReason: undefined };
  let done = false;
  for await (const event of events) {
    const data = event.data.trim();
    if (data === "[DONE]") {
      done = true;
      break;
    }
    if (data === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw malformed();
    }
    if (event.event === "error" || errorFrameSchema.safeParse(json).success) {
      throw new UnavailableError("The model provider reported an error while streaming.", { reason: "provider-stream-error" });
    }
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) throw malformed();
    const frame = parsed.data;
    if (frame.model) summary.model = frame.model;
    if (frame.usage) summary.usage = { inputTokens: frame.usage.prompt_tokens, outputTokens: frame.usage.completion_tokens };
    for (const choice of frame.choices) {
      if (choice.finish_reason) summary.finishReason = choice.finish_reason;
      const text = choice.delta?.content;
      if (text) yield text;
    }
  }
  if (!done && summary.finishReason === undefined) {
    throw new UnavailableError("The model provider's stream ended before it finished.", { reason: "provider-stream-cut" });
  }
  return summary;
}

function malformed(): UnavailableError {
  return new UnavailableError("The model provider returned an invalid response.", { reason: "provider-malformed-response" });
}
