/** What every route handler receives. */
import type { ChangeFeed } from "./changes";
import type { TrustedKey } from "./signed-url";
import type { Store } from "./store";
import type { UploadSessions } from "./resumable";

export type Ctx = {
  store: Store;
  feed: ChangeFeed;
  sessions: UploadSessions;
  signingKeys: TrustedKey[];
  /** `http://host:port` of this server, used in selfLink / mediaLink / session URIs. */
  baseUrl: string;
  now(): number;
};
