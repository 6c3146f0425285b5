import type { Gateway } from '../../gateway/gateway.js';
import { ProducerCredentials } from './producer-credentials.js';
import type { ProducerApi } from './producer-routes.js';
import { ProducerRuns } from './producer-runs.js';

export interface ProducerApiOptions {
  /** API keys a producer may present as `Authorization: Bearer <key>` (`AGENTWIRE_PRODUCER_KEYS`). */
  readonly keys?: readonly string[];
  /** The producer's silence after which its run ends with `agent_error` `timeout` (`AGENTWIRE_PRODUCER_SILENCE_MS`). */
  readonly silenceMs: number;
}

/** The producer API of one gateway, for `createHttpHandler(gateway, { producer })` (docs/producers.md). */
export function createProducerApi(gateway: Gateway, options: ProducerApiOptions): ProducerApi {
  return {
    credentials: new ProducerCredentials(options.keys ?? [], { verify: (token) => gateway.verifyToken(token) }),
    runs: new ProducerRuns(gateway, { silenceMs: options.silenceMs }),
  };
}
