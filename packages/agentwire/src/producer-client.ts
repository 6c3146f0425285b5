// The entry point of `agentwire/producer`: re-exports only. A subpath of its own, light (no
// heavy package), for agents in other Node processes (docs/producers.md).
export {
  ProducerClient,
  ProducerRequestError,
  ProducerRun,
  type AppendedEventResult,
  type ProducerClientOptions,
  type ProducerEventInput,
  type StartRunInput,
} from './producer/producer-client.js';
